package io.pmaccountstream.simulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.pmaccountstream.simulator.fault.Fault;
import io.pmaccountstream.simulator.scenario.Decimals;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The account response body in Binance's shape and field order: amounts as decimal strings with 8
 * decimals, {@code updateTime} as a number. Also its corrupted variants for fault injection.
 */
final class AccountJson {

  /** The amount fields a corruption may hit. */
  static final List<String> AMOUNTS =
      List.of(
          "uniMMR",
          "accountEquity",
          "actualEquity",
          "accountInitialMargin",
          "accountMaintMargin",
          "virtualMaxWithdrawAmount");

  static final String UNKNOWN_STATUS = "SIMULATED_UNDOCUMENTED_STATUS";
  private static final List<String> NOT_NUMBERS = List.of("NaN", "1.2.3", "abc", "0x1F", "--1");

  static final String HTML_PAGE =
      """
      <!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
      <HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">
      <TITLE>ERROR: The request could not be satisfied</TITLE>
      </HEAD><BODY>
      <H1>502 ERROR</H1>
      <H2>The request could not be satisfied.</H2>
      <HR noshade size="1px">
      Simulated gateway error page.
      </BODY></HTML>
      """;

  private static final JsonFactory JSON = new JsonFactory();

  private AccountJson() {}

  static byte[] render(AccountState state) {
    return write(fields(state), state.updateTime());
  }

  /** The body for a malformed-body fault; {@code detail} picks the field and the bad text. */
  static byte[] corrupted(AccountState state, Fault fault, long detail) {
    Map<String, String> fields = fields(state);
    int pick = (int) Math.floorMod(detail, (long) AMOUNTS.size() * NOT_NUMBERS.size());
    switch (fault) {
      case EMPTY_NUMBER -> fields.put(AMOUNTS.get(pick % AMOUNTS.size()), "");
      case NON_NUMERIC_NUMBER ->
          fields.put(AMOUNTS.get(pick % AMOUNTS.size()), NOT_NUMBERS.get(pick / AMOUNTS.size()));
      case UNKNOWN_STATUS -> fields.put("accountStatus", UNKNOWN_STATUS);
      case TRUNCATED_JSON -> {
        byte[] whole = render(state);
        return Arrays.copyOf(whole, whole.length / 2);
      }
      default -> throw new IllegalArgumentException(fault + " is not a body corruption");
    }
    return write(fields, state.updateTime());
  }

  static byte[] html() {
    return HTML_PAGE.getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * The body's fields in order as raw JSON tokens (strings quoted, {@code updateTime} a number),
   * for the hostile corpus to bend one at a time.
   */
  static List<Map.Entry<String, String>> tokens(AccountState state) {
    List<Map.Entry<String, String>> tokens = new java.util.ArrayList<>();
    fields(state).forEach((name, value) -> tokens.add(Map.entry(name, quoted(value))));
    tokens.add(Map.entry("updateTime", Long.toString(state.updateTime())));
    return tokens;
  }

  /** A JSON object of raw tokens, in order (duplicates kept, as written). */
  static String object(List<Map.Entry<String, String>> tokens) {
    StringBuilder json = new StringBuilder(400).append('{');
    for (Map.Entry<String, String> token : tokens) {
      if (json.length() > 1) {
        json.append(',');
      }
      json.append(quoted(token.getKey())).append(':').append(token.getValue());
    }
    return json.append('}').toString();
  }

  /** A JSON string token. */
  static String quoted(String text) {
    return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"';
  }

  private static Map<String, String> fields(AccountState state) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("uniMMR", amount(state.uniMmr()));
    fields.put("accountEquity", amount(state.accountEquity()));
    fields.put("actualEquity", amount(state.actualEquity()));
    fields.put("accountInitialMargin", amount(state.accountInitialMargin()));
    fields.put("accountMaintMargin", amount(state.accountMaintMargin()));
    fields.put("accountStatus", state.accountStatus());
    fields.put("virtualMaxWithdrawAmount", amount(state.virtualMaxWithdrawAmount()));
    fields.put("totalAvailableBalance", state.totalAvailableBalance());
    fields.put("totalMarginOpenLoss", state.totalMarginOpenLoss());
    return fields;
  }

  private static String amount(BigDecimal value) {
    return Decimals.format(value);
  }

  private static byte[] write(Map<String, String> fields, long updateTime) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(400);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      for (Map.Entry<String, String> field : fields.entrySet()) {
        json.writeStringField(field.getKey(), field.getValue());
      }
      json.writeNumberField("updateTime", updateTime);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toByteArray();
  }
}
