package io.pmaccountstream.binance;

import static io.pmaccountstream.binance.AccountInfoParserTest.DOC_EXAMPLE;
import static io.pmaccountstream.binance.AccountInfoParserTest.SERVER_NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.binance.AccountInfoParser.BadPayloadException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One test per row of the "Input policy" table in docs/reliability.md, named after the row: the
 * value inside the domain is read, each way outside it is a bad payload with its precise reason.
 */
class InputPolicyTest {

  private static final String EQUITY = "\"122607.35137903\"";
  private static final String MAINT = "\"accountMaintMargin\": \"23.72469206\"";

  @Test
  void bodyEncoding_isUtf8WithoutAByteOrderMark() {
    byte[] utf8 = DOC_EXAMPLE.getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[utf8.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(utf8, 0, withBom, 3, utf8.length);

    assertBadBytes(withBom, "the body starts with a UTF-8 byte-order mark");
    assertBadBytes(
        ("\uFEFF" + DOC_EXAMPLE).getBytes(StandardCharsets.UTF_16),
        "the body is UTF-16 or UTF-32 (byte-order mark), not UTF-8");
    assertBadBytes(
        DOC_EXAMPLE.getBytes(StandardCharsets.UTF_16LE), "the body is not JSON (Illegal character");
    byte[] invalid = DOC_EXAMPLE.replace("NORMAL", "NORM\u00c9L").getBytes(StandardCharsets.UTF_8);
    invalid[DOC_EXAMPLE.indexOf("NORMAL") + 4] = (byte) 0xC3;
    invalid[DOC_EXAMPLE.indexOf("NORMAL") + 5] = (byte) 0x28;
    assertBadBytes(invalid, "the body is not valid UTF-8");
  }

  @Test
  void bodyShape_isOneJsonObject() {
    assertBad("", "the body is empty");
    assertBad("  \n ", "the body is empty");
    assertBad("[" + DOC_EXAMPLE + "]", "the body is JSON but not an object");
    assertBad("\"NORMAL\"", "the body is JSON but not an object");
    assertBad("<html><body>502 Bad Gateway</body></html>", "the body is not JSON (");
    assertBad(DOC_EXAMPLE.substring(0, 100), "the body is not JSON (");
  }

  @Test
  void trailingData_nothingFollowsTheObject() {
    assertBad(DOC_EXAMPLE + " trailing", "the body is not JSON (");
    assertBad(DOC_EXAMPLE + " {}", "the body has more JSON after the account object");
    assertBad(DOC_EXAMPLE + "1", "the body has more JSON after the account object");
    assertThat(parse(DOC_EXAMPLE + " \n\t ")).isEqualTo(parse(DOC_EXAMPLE));
  }

  @Test
  void duplicateKeys_areRejectedAtAnyDepth() {
    assertBad(
        DOC_EXAMPLE.replace("\"accountStatus\"", "\"uniMMR\": \"0.5\", \"accountStatus\""),
        "the body repeats a key (Duplicate field 'uniMMR')");
    assertBad(
        DOC_EXAMPLE.replace("{", "{\"extra\": {\"a\": 1, \"a\": 2},"),
        "the body repeats a key (Duplicate field 'a')");
  }

  @Test
  void nesting_unknownNestedValuesAreSkippedUpToThirtyTwoLevels() {
    String deep31 = "[".repeat(31) + "]".repeat(31);
    String deep33 = "[".repeat(33) + "]".repeat(33);

    assertThat(parse(DOC_EXAMPLE.replace("{", "{\"extra\": " + deep31 + ",")))
        .isEqualTo(parse(DOC_EXAMPLE));
    assertBad(
        DOC_EXAMPLE.replace("{", "{\"extra\": " + deep33 + ","),
        "the body nests deeper than 32 levels or is too large");
  }

  @Test
  void decimalGrammar_isPlainNotation() {
    for (String bad :
        new String[] {
          "1e-9", "1E+2", "+1", "NaN", "Infinity", "-Infinity", ".5", "5.", "1,5", " 1", "0x10", "-"
        }) {
      assertBad(
          DOC_EXAMPLE.replace(EQUITY, "\"" + bad + "\""),
          "accountEquity is not a decimal in plain notation (digits, an optional leading '-' and"
              + " '.'; no exponent, '+', NaN or Infinity): \""
              + bad
              + "\"");
    }
    assertBad(
        DOC_EXAMPLE.replace(EQUITY, "1e-9"),
        "accountEquity is not a decimal string but the number \"1e-9\"");
    assertBad(
        DOC_EXAMPLE.replace(EQUITY, "\"\u0661\u0662\""), "accountEquity is not a decimal in plain");
  }

  @Test
  void decimalScale_isAtMostEightPlaces() {
    assertThat(parse(DOC_EXAMPLE.replace(EQUITY, "\"1.12345678\"")).accountEquity())
        .hasToString("1.12345678");
    assertBad(
        DOC_EXAMPLE.replace(EQUITY, "\"1.123456789\""),
        "accountEquity has 9 decimal places (at most 8): \"1.123456789\"");
    assertBad(
        DOC_EXAMPLE.replace(EQUITY, "1.123456789"),
        "accountEquity is not a decimal string but the number \"1.123456789\"");
  }

  @Test
  void decimalIntegerDigits_areAtMostThirty() {
    String thirty = "9".repeat(30);
    String thirtyFour = "1".repeat(34);

    assertThat(parse(DOC_EXAMPLE.replace(EQUITY, "\"" + thirty + ".99999999\"")).accountEquity())
        .isEqualTo(new BigDecimal(thirty + ".99999999"));
    assertBad(
        DOC_EXAMPLE.replace(EQUITY, "\"" + thirtyFour + "\""),
        "accountEquity has 34 integer digits (at most 30): \"" + thirtyFour + "\"");
  }

  @Test
  void decimalSign_marginsAndTheWithdrawableAmountAreNeverNegative() {
    assertThat(parse(DOC_EXAMPLE.replace(EQUITY, "\"-5.5\"")).accountEquity()).hasToString("-5.5");
    assertThat(parse(DOC_EXAMPLE.replace("\"5167.92171923\"", "\"-0.2\"")).uniMMR())
        .contains(new BigDecimal("-0.2"));
    assertBad(
        DOC_EXAMPLE.replace(MAINT, "\"accountMaintMargin\": \"-1\""),
        "accountMaintMargin is negative: \"-1\"");
    assertBad(
        DOC_EXAMPLE.replace("\"1627523.32459208\"", "\"-0.01\""),
        "virtualMaxWithdrawAmount is negative: \"-0.01\"");
    assertBad(
        DOC_EXAMPLE.replace("\"totalMarginOpenLoss\": \"\"", "\"totalMarginOpenLoss\": \"-3\""),
        "totalMarginOpenLoss is negative: \"-3\"");
    assertThat(
            parse(DOC_EXAMPLE.replace(MAINT, "\"accountMaintMargin\": \"-0.00\""))
                .accountMaintMargin())
        .isEqualByComparingTo(BigDecimal.ZERO);
  }

  @Test
  void decimalJsonType_isAString() {
    assertBad(
        DOC_EXAMPLE.replace(EQUITY, "122607.35137903"),
        "accountEquity is not a decimal string but the number \"122607.35137903\"");
    assertBad(
        DOC_EXAMPLE.replace(EQUITY, "true"), "accountEquity is not a decimal string but a boolean");
    assertBad(
        DOC_EXAMPLE.replace(EQUITY, "{\"v\": \"1\"}"),
        "accountEquity is not a decimal string but an object");
    assertBad(
        DOC_EXAMPLE.replace(EQUITY, "[\"1\"]"),
        "accountEquity is not a decimal string but an array");
  }

  @Test
  void requiredFields_mustCarryAValue() {
    for (String field :
        new String[] {
          "accountEquity", "actualEquity", "accountInitialMargin", "accountMaintMargin"
        }) {
      String withoutValue =
          DOC_EXAMPLE.replaceFirst("\"" + field + "\": \"[^\"]*\"", "\"" + field + "\": \"\"");
      assertBad(withoutValue, field + " is missing or empty");
      assertBad(
          DOC_EXAMPLE.replaceFirst("\"" + field + "\": \"[^\"]*\"", "\"" + field + "\": null"),
          field + " is missing or empty");
    }
    assertBad(
        DOC_EXAMPLE.replace("\"accountStatus\": \"NORMAL\",", ""), "accountStatus is missing");
    assertBad(
        DOC_EXAMPLE.replace(",\n  \"updateTime\": 1657707212154", ""), "updateTime is missing");
    assertBad(DOC_EXAMPLE.replace("1657707212154", "null"), "updateTime is missing");
  }

  @Test
  void optionalFields_mayBeEmptyNullOrAbsent() {
    AccountInfo account =
        parse(
            DOC_EXAMPLE
                .replace("\"5167.92171923\"", "null")
                .replace("\"virtualMaxWithdrawAmount\": \"1627523.32459208\",", ""));

    assertThat(account.uniMMR()).isEmpty();
    assertThat(account.virtualMaxWithdrawAmount()).isEmpty();
    assertThat(account.totalAvailableBalance()).isEmpty();
    assertThat(account.totalMarginOpenLoss()).isEmpty();
  }

  @Test
  void accountStatus_unknownIsKeptRawAndMalformedIsRejected() {
    AccountInfo unknown = parse(DOC_EXAMPLE.replace("\"NORMAL\"", "\"PARTIAL_FREEZE\""));
    assertThat(unknown.status()).isEqualTo(PmAccountStatus.UNKNOWN);
    assertThat(unknown.statusRaw()).isEqualTo("PARTIAL_FREEZE");

    assertBad(
        DOC_EXAMPLE.replace("\"NORMAL\"", "\"  \""),
        "accountStatus is not a non-empty string: \"  \"");
    assertBad(
        DOC_EXAMPLE.replace("\"NORMAL\"", "\"" + "X".repeat(65) + "\""),
        "accountStatus is longer than 64 characters");
    assertBad(
        DOC_EXAMPLE.replace("\"NORMAL\"", "\"NORMAL\\n\""),
        "accountStatus has blanks around it or control characters: \"NORMAL\\u000a\"");
    assertBad(
        DOC_EXAMPLE.replace("\"NORMAL\"", "1"),
        "accountStatus is not a non-empty string but the number \"1\"");
  }

  @Test
  void updateTime_isEpochMillisWithinAPlausibleWindowOfTheServerClock() {
    Instant fourMinutesAhead = SERVER_NOW.plus(Duration.ofMinutes(4));
    assertThat(parse(withUpdateTime(Long.toString(fourMinutesAhead.toEpochMilli()))).updateTime())
        .isEqualTo(fourMinutesAhead);
    assertBad(
        withUpdateTime("\"1657707212154\""),
        "updateTime is not a JSON integer of epoch milliseconds but the string \"1657707212154\"");

    assertBad(
        withUpdateTime("253402300799000"),
        "updateTime 9999-12-31T23:59:59Z is more than PT5M ahead of the server clock"
            + " (2026-11-23T10:00:05Z)");
    assertBad(
        withUpdateTime(Long.toString(SERVER_NOW.plus(Duration.ofMinutes(6)).toEpochMilli())),
        "updateTime 2026-11-23T10:06:05Z is more than PT5M ahead");
    assertBad(
        withUpdateTime("1400000000000"),
        "updateTime 2014-05-13T16:53:20Z is before 2017-01-01T00:00:00Z");
    assertBad(withUpdateTime("-1"), "updateTime is not epoch milliseconds: \"-1\"");
    assertBad(
        withUpdateTime("1.657707212154E12"),
        "updateTime is not a JSON integer of epoch milliseconds but the number"
            + " \"1.657707212154E12\"");
    assertBad(
        withUpdateTime("99999999999999999999"),
        "updateTime is not epoch milliseconds: \"99999999999999999999\"");
    assertBad(
        withUpdateTime("\"yesterday\""),
        "updateTime is not a JSON integer of epoch milliseconds but the string");
  }

  @Test
  void updateTime_windowFollowsTheConfiguredMaximumAhead() {
    AccountInfoParser lenient = new AccountInfoParser(new InputPolicy(Duration.ofHours(1)));
    Instant thirtyMinutesAhead = SERVER_NOW.plus(Duration.ofMinutes(30));

    AccountInfo account =
        lenient.parse(
            withUpdateTime(Long.toString(thirtyMinutesAhead.toEpochMilli()))
                .getBytes(StandardCharsets.UTF_8),
            SERVER_NOW);

    assertThat(account.updateTime()).isEqualTo(thirtyMinutesAhead);
  }

  @Test
  void unknownFields_ofAnyTypeAreIgnored() {
    AccountInfo account =
        parse(
            DOC_EXAMPLE.replace(
                "{", "{\"x\": null, \"y\": [1, {\"z\": true}], \"w\": 1e400, \"v\": \"\","));

    assertThat(account).isEqualTo(parse(DOC_EXAMPLE));
  }

  @Test
  void schemaFit_anAccountThatCannotBeWrittenCannotBeBuilt() {
    assertThat(InputPolicy.fitsSchema(new BigDecimal("1.123456780"))).isTrue();
    assertThat(InputPolicy.fitsSchema(new BigDecimal("1.123456789"))).isFalse();
    assertThat(InputPolicy.fitsSchema(new BigDecimal("1".repeat(30) + ".5"))).isTrue();
    assertThat(InputPolicy.fitsSchema(new BigDecimal("1".repeat(31)))).isFalse();
    assertThat(InputPolicy.fitsSchema(new BigDecimal("1E+29"))).isTrue();
    assertThat(InputPolicy.fitsSchema(new BigDecimal("1E+30"))).isFalse();

    AccountInfo ok = parse(DOC_EXAMPLE);
    assertThatThrownBy(
            () ->
                new AccountInfo(
                    Optional.of(new BigDecimal("1.123456789")),
                    ok.accountEquity(),
                    ok.actualEquity(),
                    ok.accountInitialMargin(),
                    ok.accountMaintMargin(),
                    ok.status(),
                    ok.statusRaw(),
                    ok.virtualMaxWithdrawAmount(),
                    ok.totalAvailableBalance(),
                    ok.totalMarginOpenLoss(),
                    ok.updateTime()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uniMMR does not fit decimal(38, 8) without rounding: 1.123456789");
  }

  private static String withUpdateTime(String json) {
    return DOC_EXAMPLE.replace("1657707212154", json);
  }

  private static AccountInfo parse(String body) {
    return AccountInfoParserTest.parse(body);
  }

  private static void assertBad(String body, String reason) {
    assertBadBytes(body.getBytes(StandardCharsets.UTF_8), reason);
  }

  private static void assertBadBytes(byte[] body, String reason) {
    assertThatThrownBy(() -> new AccountInfoParser(InputPolicy.DEFAULT).parse(body, SERVER_NOW))
        .isInstanceOf(BadPayloadException.class)
        .hasMessageStartingWith(reason);
  }
}
