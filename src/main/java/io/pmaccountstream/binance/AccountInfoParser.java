package io.pmaccountstream.binance;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the body of {@code GET /papi/v1/account} into an {@link AccountInfo}, exactly and strictly,
 * by the rules of {@link InputPolicy}: the body is UTF-8 without a byte-order mark, one JSON object
 * with no repeated key (at any depth) and nothing after it; every decimal is read from its text
 * (Binance's string, or a JSON number's literal, never through {@code double}); {@code ""}, {@code
 * null} and absent optional fields become empty; unknown extra fields are ignored; a new {@code
 * accountStatus} becomes {@link PmAccountStatus#UNKNOWN} with its text kept. Anything else is a
 * {@link BadPayloadException} saying which field broke which rule; nothing else is thrown.
 */
public final class AccountInfoParser {

  private final InputPolicy policy;

  public AccountInfoParser(InputPolicy policy) {
    this.policy = policy;
  }

  /**
   * The account in {@code body}; {@link BadPayloadException} says which field is wrong and why.
   *
   * @param serverNow the server clock when the body arrived, for the {@code updateTime} window
   */
  public AccountInfo parse(byte[] body, Instant serverNow) {
    Map<String, Value> fields = topLevelFields(decodeUtf8(body));
    String statusRaw = policy.status(requiredText(fields, "accountStatus"));
    return new AccountInfo(
        decimal(fields, InputPolicy.UNI_MMR),
        decimal(fields, InputPolicy.ACCOUNT_EQUITY).orElseThrow(),
        decimal(fields, InputPolicy.ACTUAL_EQUITY).orElseThrow(),
        decimal(fields, InputPolicy.ACCOUNT_INITIAL_MARGIN).orElseThrow(),
        decimal(fields, InputPolicy.ACCOUNT_MAINT_MARGIN).orElseThrow(),
        PmAccountStatus.fromWire(statusRaw),
        statusRaw,
        decimal(fields, InputPolicy.VIRTUAL_MAX_WITHDRAW_AMOUNT),
        decimal(fields, InputPolicy.TOTAL_AVAILABLE_BALANCE),
        decimal(fields, InputPolicy.TOTAL_MARGIN_OPEN_LOSS),
        updateTime(fields, serverNow));
  }

  /**
   * The account in {@code body} by the default policy, with the system clock as the server clock:
   * for tools and tests. The client itself uses its configured policy and its agreed server clock.
   */
  public static AccountInfo parseWithDefaults(byte[] body) {
    return new AccountInfoParser(InputPolicy.DEFAULT).parse(body, Instant.now());
  }

  /**
   * Binance's error body {@code {"code": -2015, "msg": "..."}}, if {@code body} is one.
   *
   * @return empty when the body is not JSON or has no integral {@code code}
   */
  public static Optional<BinanceError> parseError(byte[] body) {
    JsonNode root;
    try {
      root = InputPolicy.STRICT_JSON.readTree(body);
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
      JsonNode root = InputPolicy.STRICT_JSON.readTree(body);
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

  /** One top-level value: its JSON token, and its text when it is a scalar. */
  private record Value(JsonToken token, String text) {
    boolean isNull() {
      return token == JsonToken.VALUE_NULL;
    }

    String describe() {
      return switch (token) {
        case VALUE_STRING -> "the string " + InputPolicy.quote(text);
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + InputPolicy.quote(text);
        case VALUE_TRUE, VALUE_FALSE -> "a boolean";
        case START_OBJECT -> "an object";
        case START_ARRAY -> "an array";
        default -> token.name();
      };
    }
  }

  /** RFC 8259: UTF-8, and a parser may refuse a byte-order mark; Binance sends none. */
  private static String decodeUtf8(byte[] body) {
    if (body.length >= 2
        && ((body[0] == (byte) 0xFE && body[1] == (byte) 0xFF)
            || (body[0] == (byte) 0xFF && body[1] == (byte) 0xFE))) {
      throw new BadPayloadException("the body is UTF-16 or UTF-32 (byte-order mark), not UTF-8");
    }
    if (body.length >= 3
        && body[0] == (byte) 0xEF
        && body[1] == (byte) 0xBB
        && body[2] == (byte) 0xBF) {
      throw new BadPayloadException("the body starts with a UTF-8 byte-order mark");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadPayloadException("the body is not valid UTF-8");
    }
  }

  /** The top-level object's fields; nested values are checked for syntax and skipped. */
  private static Map<String, Value> topLevelFields(String text) {
    try (JsonParser json = InputPolicy.STRICT_JSON.createParser(text)) {
      JsonToken first = json.nextToken();
      if (first == null) {
        throw new BadPayloadException("the body is empty");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new BadPayloadException("the body is JSON but not an object");
      }
      Map<String, Value> fields = new HashMap<>();
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String name = json.currentName();
        JsonToken token = json.nextToken();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
          json.skipChildren();
          fields.put(name, new Value(token, null));
        } else {
          fields.put(name, new Value(token, json.getText()));
        }
      }
      if (json.nextToken() != null) {
        throw new BadPayloadException("the body has more JSON after the account object");
      }
      return fields;
    } catch (StreamConstraintsException e) {
      throw new BadPayloadException(
          "the body nests deeper than "
              + InputPolicy.MAX_NESTING_DEPTH
              + " levels or is too large");
    } catch (JsonParseException e) {
      String why = e.getOriginalMessage();
      if (why != null && why.startsWith("Duplicate field")) {
        throw new BadPayloadException("the body repeats a key (" + why + ")");
      }
      throw new BadPayloadException("the body is not JSON (" + firstLine(why) + ")");
    } catch (IOException e) {
      throw new BadPayloadException(
          "the body cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static String requiredText(Map<String, Value> fields, String field) {
    Value value = fields.get(field);
    if (value == null || value.isNull()) {
      throw new BadPayloadException(field + " is missing");
    }
    if (value.token() != JsonToken.VALUE_STRING) {
      throw new BadPayloadException(field + " is not a non-empty string but " + value.describe());
    }
    return value.text();
  }

  private Optional<BigDecimal> decimal(Map<String, Value> fields, InputPolicy.DecimalField field) {
    Value value = fields.get(field.name());
    boolean empty =
        value == null
            || value.isNull()
            || (value.token() == JsonToken.VALUE_STRING && value.text().isEmpty());
    if (empty) {
      if (field.presence() == InputPolicy.Presence.REQUIRED) {
        throw new BadPayloadException(field.name() + " is missing or empty");
      }
      return Optional.empty();
    }
    if (value.token() != JsonToken.VALUE_STRING) {
      // Binance writes every amount as a string; a number (or anything else) is another API
      throw new BadPayloadException(
          field.name() + " is not a decimal string but " + value.describe());
    }
    return Optional.of(policy.decimal(field, value.text()));
  }

  private Instant updateTime(Map<String, Value> fields, Instant serverNow) {
    Value value = fields.get("updateTime");
    if (value == null || value.isNull()) {
      throw new BadPayloadException("updateTime is missing");
    }
    if (value.token() != JsonToken.VALUE_NUMBER_INT) {
      // Binance writes updateTime as a JSON integer; a string (or anything else) is another API
      throw new BadPayloadException(
          "updateTime is not a JSON integer of epoch milliseconds but " + value.describe());
    }
    return policy.updateTime(value.text(), serverNow);
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unreadable";
    }
    int end = text.indexOf('\n');
    String line = end < 0 ? text : text.substring(0, end);
    return line.length() > 120 ? line.substring(0, 120) + "..." : line;
  }

  /** The body is not a valid account (or not JSON at all). */
  public static final class BadPayloadException extends RuntimeException {
    public BadPayloadException(String message) {
      super(message);
    }
  }
}
