package io.pmaccountstream.binance;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns the body of {@code GET /papi/v1/account} into an {@link AccountInfo}, exactly: every number
 * is read from Binance's decimal string with {@link BigDecimal#BigDecimal(String)} (a JSON number
 * is read without passing through {@code double}); {@code ""}, {@code null} and absent optional
 * fields become empty; unknown extra fields are ignored; a new {@code accountStatus} becomes {@link
 * PmAccountStatus#UNKNOWN} with its text kept.
 */
public final class AccountInfoParser {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** Plain decimal notation, as Binance writes numbers; no exponent, so the text round-trips. */
  private static final Pattern PLAIN_DECIMAL = Pattern.compile("-?\\d{1,40}(\\.\\d{1,40})?");

  private AccountInfoParser() {}

  /** The account in {@code body}; {@link BadPayloadException} says which field is wrong and why. */
  public static AccountInfo parse(byte[] body) {
    JsonNode root = readTree(body);
    if (!root.isObject()) {
      throw new BadPayloadException("the body is JSON but not an object");
    }
    String statusRaw = requiredText(root, "accountStatus");
    return new AccountInfo(
        optionalDecimal(root, "uniMMR"),
        requiredDecimal(root, "accountEquity"),
        requiredDecimal(root, "actualEquity"),
        requiredDecimal(root, "accountInitialMargin"),
        requiredDecimal(root, "accountMaintMargin"),
        PmAccountStatus.fromWire(statusRaw),
        statusRaw,
        optionalDecimal(root, "virtualMaxWithdrawAmount"),
        optionalDecimal(root, "totalAvailableBalance"),
        optionalDecimal(root, "totalMarginOpenLoss"),
        requiredMillis(root, "updateTime"));
  }

  /**
   * Binance's error body {@code {"code": -2015, "msg": "..."}}, if {@code body} is one.
   *
   * @return empty when the body is not JSON or has no integral {@code code}
   */
  public static Optional<BinanceError> parseError(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
    if (root == null || !root.isObject() || !root.path("code").canConvertToExactIntegral()) {
      return Optional.empty();
    }
    JsonNode code = root.get("code");
    if (!code.canConvertToInt()) {
      return Optional.empty();
    }
    return Optional.of(new BinanceError(code.intValue(), root.path("msg").asText("")));
  }

  /** {@code serverTime} of {@code {"serverTime": 1499827319559}}, if {@code body} is that. */
  static Optional<Instant> parseServerTime(byte[] body) {
    try {
      JsonNode root = JSON.readTree(body);
      JsonNode time = root == null ? null : root.get("serverTime");
      if (time == null) {
        return Optional.empty();
      }
      return time.canConvertToExactIntegral() && time.canConvertToLong()
          ? Optional.of(Instant.ofEpochMilli(time.longValue()))
          : Optional.empty();
    } catch (java.io.IOException | java.time.DateTimeException e) {
      return Optional.empty();
    }
  }

  /** Binance's error code and message. */
  public record BinanceError(int code, String msg) {}

  private static JsonNode readTree(byte[] body) {
    try {
      JsonNode root = JSON.readTree(body);
      if (root == null || root.isMissingNode()) {
        throw new BadPayloadException("the body is empty");
      }
      return root;
    } catch (JacksonException e) {
      throw new BadPayloadException("the body is not JSON (" + e.getOriginalMessage() + ")");
    } catch (java.io.IOException e) {
      throw new BadPayloadException("the body cannot be read (" + e.getMessage() + ")");
    }
  }

  private static String requiredText(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new BadPayloadException(field + " is missing");
    }
    if (!node.isTextual() || node.textValue().isBlank()) {
      throw new BadPayloadException(field + " is not a non-empty string: " + describe(node));
    }
    return node.textValue();
  }

  private static BigDecimal requiredDecimal(JsonNode root, String field) {
    return optionalDecimal(root, field)
        .orElseThrow(() -> new BadPayloadException(field + " is missing or empty"));
  }

  private static Optional<BigDecimal> optionalDecimal(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull() || (node.isTextual() && node.textValue().isEmpty())) {
      return Optional.empty();
    }
    if (node.isNumber()) {
      BigDecimal value = node.decimalValue();
      if (value.precision() - value.scale() > 40 || value.scale() > 40) {
        throw new BadPayloadException(field + " is out of range: " + describe(node));
      }
      return Optional.of(value);
    }
    if (node.isTextual()) {
      if (!PLAIN_DECIMAL.matcher(node.textValue()).matches()) {
        throw new BadPayloadException(field + " is not a decimal number: " + describe(node));
      }
      return Optional.of(new BigDecimal(node.textValue()));
    }
    throw new BadPayloadException(field + " is not a decimal string: " + describe(node));
  }

  private static Instant requiredMillis(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new BadPayloadException(field + " is missing");
    }
    try {
      if (node.isIntegralNumber() && node.canConvertToLong()) {
        return Instant.ofEpochMilli(node.longValue());
      }
      if (node.isTextual() && node.textValue().matches("\\d{1,18}")) {
        return Instant.ofEpochMilli(Long.parseLong(node.textValue()));
      }
    } catch (java.time.DateTimeException e) {
      throw new BadPayloadException(field + " is out of range: " + describe(node));
    }
    throw new BadPayloadException(field + " is not epoch milliseconds: " + describe(node));
  }

  /** A short view of a bad value for messages (Binance's data, never ours). */
  private static String describe(JsonNode node) {
    String text = node.toString();
    return text.length() > 60 ? text.substring(0, 60) + "..." : text;
  }

  /** The body is not a valid account (or not JSON at all). */
  public static final class BadPayloadException extends RuntimeException {
    public BadPayloadException(String message) {
      super(message);
    }
  }
}
