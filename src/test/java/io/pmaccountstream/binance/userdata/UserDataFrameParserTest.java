package io.pmaccountstream.binance.userdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.binance.InputPolicy;
import io.pmaccountstream.binance.userdata.UserDataFrameParser.Result;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UserDataFrameParserTest {

  /** Binance's documented example of the Portfolio Margin riskLevelChange event. */
  static final String RISK_LEVEL_CHANGE =
      "{\"e\":\"riskLevelChange\",\"E\":1587727187525,\"u\":\"1.99999999\","
          + "\"s\":\"MARGIN_CALL\",\"eq\":\"30.23416728\",\"ae\":\"30.23416728\","
          + "\"m\":\"15.11708371\"}";

  private final UserDataFrameParser parser = new UserDataFrameParser(InputPolicy.DEFAULT);

  @Test
  void readsRiskLevelChangeExactly() {
    UserDataEvent event = event(RISK_LEVEL_CHANGE);

    assertThat(event)
        .isEqualTo(
            new UserDataEvent.RiskLevelChange(
                "alice",
                Instant.ofEpochMilli(1587727187525L),
                "MARGIN_CALL",
                new BigDecimal("1.99999999"),
                new BigDecimal("30.23416728"),
                new BigDecimal("30.23416728"),
                new BigDecimal("15.11708371")));
  }

  @Test
  void anyOtherEventTypeIsAnAccountChange() {
    String update =
        "{\"e\":\"ACCOUNT_UPDATE\",\"fs\":\"UM\",\"E\":1564745798939,\"T\":1564745798938,"
            + "\"i\":\"\",\"a\":{\"m\":\"ORDER\",\"B\":[{\"a\":\"USDT\",\"wb\":\"122624.12345678\","
            + "\"cw\":\"100.12345678\",\"bc\":\"50.12345678\"}],\"P\":[]}}";

    assertThat(event(update))
        .isEqualTo(
            new UserDataEvent.AccountChanged(
                "alice", Instant.ofEpochMilli(1564745798939L), "ACCOUNT_UPDATE"));
    assertThat(event("{\"e\":\"listenKeyExpired\",\"E\":1576653824250,\"listenKey\":\"abc\"}"))
        .isEqualTo(
            new UserDataEvent.AccountChanged(
                "alice", Instant.ofEpochMilli(1576653824250L), "listenKeyExpired"));
  }

  @Test
  void anUnknownRiskLevelIsKeptAsSent() {
    UserDataEvent event = event(RISK_LEVEL_CHANGE.replace("MARGIN_CALL", "NEW_LEVEL"));

    assertThat(((UserDataEvent.RiskLevelChange) event).riskLevel()).isEqualTo("NEW_LEVEL");
  }

  @Test
  void refusesWhatTheInputPolicyRefuses() {
    assertMalformed("not json", "the frame is not one JSON object");
    assertMalformed("[1,2]", "the frame is not a JSON object");
    assertMalformed("", "the frame is empty");
    assertMalformed(RISK_LEVEL_CHANGE + " {}", "the frame is not one JSON object");
    assertMalformed(
        RISK_LEVEL_CHANGE.replace(
            "\"e\":\"riskLevelChange\",", "\"e\":\"riskLevelChange\",\"e\":\"x\","),
        "the frame is not one JSON object");
    assertMalformed(
        RISK_LEVEL_CHANGE.replace("\"u\":\"1.99999999\"", "\"u\":1.99999999"),
        "u is a JSON number, not a string");
    assertMalformed(
        RISK_LEVEL_CHANGE.replace("\"1.99999999\"", "\"1.999999999\""),
        "u has 9 decimal places (at most 8)");
    assertMalformed(
        RISK_LEVEL_CHANGE.replace("\"1.99999999\"", "\"2E0\""),
        "u is not a decimal in plain notation");
    assertMalformed(RISK_LEVEL_CHANGE.replace("\"15.11708371\"", "\"-1\""), "m is negative");
    assertMalformed(RISK_LEVEL_CHANGE.replace(",\"ae\":\"30.23416728\"", ""), "ae is missing");
    assertMalformed(RISK_LEVEL_CHANGE.replace("\"MARGIN_CALL\"", "\"\""), "s (risk level): ");
    assertMalformed(
        RISK_LEVEL_CHANGE.replace("\"MARGIN_CALL\"", "1"),
        "s (risk level) is missing or not a string");
  }

  @Test
  void eventTimeMustBeAJsonIntegerOfEpochMillis() {
    assertMalformed(
        RISK_LEVEL_CHANGE.replace("1587727187525", "\"1587727187525\""),
        "E (event time) is missing or not a JSON integer");
    assertMalformed(
        RISK_LEVEL_CHANGE.replace("1587727187525", "1587727187525.5"),
        "E (event time) is missing or not a JSON integer");
    assertMalformed(
        RISK_LEVEL_CHANGE.replace("1587727187525", "-1"), "E (event time) is out of range");
    assertMalformed(
        RISK_LEVEL_CHANGE.replace("1587727187525", "99999999999999999999999"),
        "E (event time) is out of range");
    assertMalformed(RISK_LEVEL_CHANGE.replace("1587727187525", "1000"), "E (event time) 1970");
    assertMalformed(
        RISK_LEVEL_CHANGE.replace(",\"E\":1587727187525", ""),
        "E (event time) is missing or not a JSON integer");
  }

  @Test
  void eventTypeMustBeANonEmptyString() {
    assertMalformed(
        RISK_LEVEL_CHANGE.replace("\"riskLevelChange\"", "7"),
        "e (event type) is missing or not a string");
    assertMalformed(
        RISK_LEVEL_CHANGE.replace("\"riskLevelChange\"", "\" \""), "e (event type) is empty");
    assertMalformed("{\"E\":1587727187525}", "e (event type) is missing or not a string");
  }

  @Test
  void deepNestingIsRefusedNotAStackOverflow() {
    String deep =
        "{\"e\":\"x\",\"E\":1587727187525,\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";

    assertMalformed(deep, "the frame is nested too deeply or too large");
  }

  private UserDataEvent event(String frame) {
    Result result = parser.parse("alice", frame);
    assertThat(result).isInstanceOf(Result.Event.class);
    return ((Result.Event) result).event();
  }

  private void assertMalformed(String frame, String reasonStart) {
    Result result = parser.parse("alice", frame);
    assertThat(result).as(frame).isInstanceOf(Result.Malformed.class);
    assertThat(((Result.Malformed) result).reason()).startsWith(reasonStart);
  }
}
