package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.binance.AccountInfoParser.BadPayloadException;
import io.pmaccountstream.binance.AccountInfoParser.BinanceError;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccountInfoParserTest {

  /** The English example of Binance's documentation page, comments removed. */
  static final String DOC_EXAMPLE =
      """
      {
        "uniMMR": "5167.92171923",
        "accountEquity": "122607.35137903",
        "actualEquity": "73.47428058",
        "accountInitialMargin": "23.72469206",
        "accountMaintMargin": "23.72469206",
        "accountStatus": "NORMAL",
        "virtualMaxWithdrawAmount": "1627523.32459208",
        "totalAvailableBalance": "",
        "totalMarginOpenLoss": "",
        "updateTime": 1657707212154
      }
      """;

  @Test
  void readsBinancesExampleExactly() {
    AccountInfo account = parse(DOC_EXAMPLE);

    assertThat(account.uniMMR())
        .hasValueSatisfying(v -> assertThat(v).hasToString("5167.92171923"));
    assertThat(account.accountEquity()).hasToString("122607.35137903");
    assertThat(account.actualEquity()).hasToString("73.47428058");
    assertThat(account.accountInitialMargin()).hasToString("23.72469206");
    assertThat(account.accountMaintMargin()).hasToString("23.72469206");
    assertThat(account.status()).isEqualTo(PmAccountStatus.NORMAL);
    assertThat(account.statusRaw()).isEqualTo("NORMAL");
    assertThat(account.virtualMaxWithdrawAmount())
        .hasValueSatisfying(v -> assertThat(v).hasToString("1627523.32459208"));
    assertThat(account.totalAvailableBalance()).isEmpty();
    assertThat(account.totalMarginOpenLoss()).isEmpty();
    assertThat(account.updateTime()).isEqualTo(Instant.ofEpochMilli(1657707212154L));
  }

  @Test
  void keepsTrailingZerosAndDoesNotRoundThroughDouble() {
    AccountInfo account =
        parse(DOC_EXAMPLE.replace("\"122607.35137903\"", "\"9007199254740993.00000001\""));

    assertThat(account.accountEquity()).isEqualTo(new BigDecimal("9007199254740993.00000001"));
    assertThat(parse(DOC_EXAMPLE.replace("\"73.47428058\"", "\"1.50000000\"")).actualEquity())
        .hasToString("1.50000000");
  }

  @Test
  void negativeZeroIsZeroAtTheSameScale() {
    AccountInfo account = parse(DOC_EXAMPLE.replace("\"73.47428058\"", "\"-0.00000000\""));

    assertThat(account.actualEquity()).isEqualTo(new BigDecimal("0.00000000"));
  }

  @Test
  void aNewAccountStatusIsUnknownWithItsTextKept() {
    AccountInfo account = parse(DOC_EXAMPLE.replace("\"NORMAL\"", "\"PARTIAL_FREEZE\""));

    assertThat(account.status()).isEqualTo(PmAccountStatus.UNKNOWN);
    assertThat(account.statusRaw()).isEqualTo("PARTIAL_FREEZE");
  }

  @Test
  void everyDocumentedStatusIsRecognised() {
    for (String status :
        new String[] {
          "NORMAL",
          "MARGIN_CALL",
          "SUPPLY_MARGIN",
          "REDUCE_ONLY",
          "ACTIVE_LIQUIDATION",
          "FORCE_LIQUIDATION",
          "BANKRUPTED"
        }) {
      assertThat(parse(DOC_EXAMPLE.replace("\"NORMAL\"", "\"" + status + "\"")).status())
          .hasToString(status);
    }
  }

  @Test
  void aJsonNumberWhereBinanceDocumentsADecimalStringIsABadPayload() {
    assertBad(
        DOC_EXAMPLE.replace(
            "\"23.72469206\",\n  \"accountMaintMargin\"", "23.72469206,\n  \"accountMaintMargin\""),
        "accountInitialMargin is not a decimal string but the number \"23.72469206\"");
  }

  @Test
  void missingEmptyOrNonNumericRequiredFieldsAreBadPayloads() {
    assertBad(
        DOC_EXAMPLE.replace("\"accountEquity\": \"122607.35137903\",", ""),
        "accountEquity is missing");
    assertBad(
        DOC_EXAMPLE.replace("\"122607.35137903\"", "\"\""), "accountEquity is missing or empty");
    assertBad(
        DOC_EXAMPLE.replace("\"122607.35137903\"", "\"12a.5\""), "accountEquity is not a decimal");
    assertBad(
        DOC_EXAMPLE.replace("\"122607.35137903\"", "\"NaN\""), "accountEquity is not a decimal");
    assertBad(DOC_EXAMPLE.replace("\"122607.35137903\"", "\"1E+999999999\""), "not a decimal");
    assertBad(DOC_EXAMPLE.replace("\"122607.35137903\"", "true"), "accountEquity is not a decimal");
    assertBad(DOC_EXAMPLE.replace("\"NORMAL\"", "\"\""), "accountStatus");
    assertBad(DOC_EXAMPLE.replace("1657707212154", "\"yesterday\""), "updateTime");
    assertBad(DOC_EXAMPLE.replace("\"uniMMR\": \"5167.92171923\"", "\"uniMMR\": \"-\""), "uniMMR");
  }

  @Test
  void nonJsonBodiesAreBadPayloads() {
    assertBad("<html><body>502 Bad Gateway</body></html>", "not JSON");
    assertBad("{\"uniMMR\": \"1.0\"", "not JSON");
    assertBad("", "empty");
    assertBad("[1, 2]", "not an object");
    assertBad(DOC_EXAMPLE + " trailing", "not JSON");
  }

  @Test
  void readsBinanceErrorBodies() {
    assertThat(
            AccountInfoParser.parseError(
                bytes(
                    "{\"code\":-2015,\"msg\":\"Invalid API-key, IP, or permissions for action.\"}")))
        .contains(new BinanceError(-2015, "Invalid API-key, IP, or permissions for action."));
    assertThat(AccountInfoParser.parseError(bytes("<html>nope</html>"))).isEmpty();
    assertThat(AccountInfoParser.parseError(bytes(DOC_EXAMPLE))).isEmpty();
    assertThat(AccountInfoParser.parseError(bytes("{\"code\":\"x\"}"))).isEmpty();
  }

  @Test
  void readsServerTime() {
    assertThat(AccountInfoParser.parseServerTime(bytes("{\"serverTime\":1499827319559}")))
        .contains(Instant.ofEpochMilli(1499827319559L));
    assertThat(AccountInfoParser.parseServerTime(bytes("{\"serverTime\":\"soon\"}"))).isEmpty();
    assertThat(AccountInfoParser.parseServerTime(bytes(""))).isEmpty();
  }

  private static void assertBad(String body, String message) {
    assertThatThrownBy(() -> parse(body))
        .isInstanceOf(BadPayloadException.class)
        .hasMessageContaining(message);
  }

  /** The server clock when the test bodies "arrive": well after the doc example's updateTime. */
  static final Instant SERVER_NOW = Instant.parse("2026-11-23T10:00:05Z");

  static AccountInfo parse(String body) {
    return new AccountInfoParser(InputPolicy.DEFAULT).parse(bytes(body), SERVER_NOW);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
