package io.pmaccountstream.binance.userdata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.pmaccountstream.binance.AccountInfoParser.BadPayloadException;
import io.pmaccountstream.binance.InputPolicy;
import io.pmaccountstream.binance.InputPolicy.DecimalField;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

/**
 * Turns one text frame of the user-data stream into a {@link UserDataEvent}, as strictly as {@link
 * InputPolicy} reads the REST answers: one JSON object without repeated keys or trailing tokens;
 * {@code e} a non-empty string; {@code E} a JSON integer of epoch milliseconds, not before {@link
 * InputPolicy#UPDATE_TIME_NOT_BEFORE}; for {@code riskLevelChange} the decimals {@code u}, {@code
 * eq}, {@code ae}, {@code m} JSON strings in plain notation with at most 8 places and {@code s} a
 * status string. Any other {@code e} is an {@link UserDataEvent.AccountChanged}. Never throws: a
 * bad frame is a {@link Result.Malformed} with the reason.
 */
public final class UserDataFrameParser {

  public static final String RISK_LEVEL_CHANGE = "riskLevelChange";
  public static final String LISTEN_KEY_EXPIRED = "listenKeyExpired";

  /** Longest frame read; Binance's events are a few hundred bytes to a few KiB. */
  public static final int MAX_FRAME_CHARS = 1 << 20;

  static final int MAX_EVENT_TYPE_LENGTH = 64;

  static final DecimalField U =
      new DecimalField("u", InputPolicy.Presence.REQUIRED, InputPolicy.Sign.ANY);
  static final DecimalField EQ =
      new DecimalField("eq", InputPolicy.Presence.REQUIRED, InputPolicy.Sign.ANY);
  static final DecimalField AE =
      new DecimalField("ae", InputPolicy.Presence.REQUIRED, InputPolicy.Sign.ANY);
  static final DecimalField M =
      new DecimalField("m", InputPolicy.Presence.REQUIRED, InputPolicy.Sign.NON_NEGATIVE);

  private static final BigInteger MAX_EPOCH_MILLIS =
      BigInteger.valueOf(Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli());

  /** A parsed frame, or why it is not an event. */
  public sealed interface Result {
    record Event(UserDataEvent event) implements Result {}

    record Malformed(String reason) implements Result {}
  }

  private final InputPolicy policy;

  public UserDataFrameParser(InputPolicy policy) {
    this.policy = policy;
  }

  public Result parse(String accountId, String frame) {
    try {
      return new Result.Event(event(accountId, frame));
    } catch (BadPayloadException e) {
      return new Result.Malformed(e.getMessage());
    }
  }

  private UserDataEvent event(String accountId, String frame) {
    if (frame.length() > MAX_FRAME_CHARS) {
      throw new BadPayloadException(
          "the frame has " + frame.length() + " characters (at most " + MAX_FRAME_CHARS + ")");
    }
    JsonNode root = tree(frame);
    if (!root.isObject()) {
      throw new BadPayloadException("the frame is not a JSON object");
    }
    String type = eventType(root.get("e"));
    Instant eventTime = eventTime(root.get("E"));
    if (!type.equals(RISK_LEVEL_CHANGE)) {
      return new UserDataEvent.AccountChanged(accountId, eventTime, type);
    }
    return new UserDataEvent.RiskLevelChange(
        accountId,
        eventTime,
        riskLevel(root.get("s")),
        decimal(root, U),
        decimal(root, EQ),
        decimal(root, AE),
        decimal(root, M));
  }

  private static JsonNode tree(String frame) {
    try {
      JsonNode root = InputPolicy.STRICT_JSON.readTree(frame);
      if (root == null || root.isMissingNode()) {
        throw new BadPayloadException("the frame is empty");
      }
      return root;
    } catch (StreamConstraintsException e) {
      throw new BadPayloadException("the frame is nested too deeply or too large");
    } catch (JsonProcessingException e) {
      throw new BadPayloadException("the frame is not one JSON object: " + firstLine(e));
    } catch (IOException e) {
      throw new BadPayloadException("the frame cannot be read: " + e.getClass().getSimpleName());
    }
  }

  private static String eventType(JsonNode node) {
    if (node == null || !node.isTextual()) {
      throw new BadPayloadException("e (event type) is missing or not a string");
    }
    String type = node.textValue();
    if (type.isBlank()
        || type.length() > MAX_EVENT_TYPE_LENGTH
        || !type.equals(type.strip())
        || type.chars().anyMatch(Character::isISOControl)) {
      throw new BadPayloadException(
          "e (event type) is empty, longer than "
              + MAX_EVENT_TYPE_LENGTH
              + " characters, or has blanks or control characters");
    }
    return type;
  }

  private static Instant eventTime(JsonNode node) {
    if (node == null || !node.isIntegralNumber()) {
      throw new BadPayloadException("E (event time) is missing or not a JSON integer");
    }
    BigInteger millis = node.bigIntegerValue();
    if (millis.signum() < 0 || millis.compareTo(MAX_EPOCH_MILLIS) > 0) {
      throw new BadPayloadException("E (event time) is out of range: " + millis);
    }
    Instant time = Instant.ofEpochMilli(millis.longValueExact());
    if (time.isBefore(InputPolicy.UPDATE_TIME_NOT_BEFORE)) {
      throw new BadPayloadException(
          "E (event time) " + time + " is before " + InputPolicy.UPDATE_TIME_NOT_BEFORE);
    }
    return time;
  }

  private String riskLevel(JsonNode node) {
    if (node == null || !node.isTextual()) {
      throw new BadPayloadException("s (risk level) is missing or not a string");
    }
    try {
      return policy.status(node.textValue());
    } catch (BadPayloadException e) {
      throw new BadPayloadException("s (risk level): " + e.getMessage());
    }
  }

  private BigDecimal decimal(JsonNode root, DecimalField field) {
    JsonNode node = root.get(field.name());
    if (node == null || node.isNull()) {
      throw new BadPayloadException(field.name() + " is missing");
    }
    if (!node.isTextual()) {
      throw new BadPayloadException(
          field.name()
              + " is a JSON "
              + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
              + ", not a string");
    }
    return policy.decimal(field, node.textValue());
  }

  private static String firstLine(JsonProcessingException e) {
    String message = String.valueOf(e.getOriginalMessage());
    int end = message.indexOf('\n');
    String line = end < 0 ? message : message.substring(0, end);
    return line.length() > 120 ? line.substring(0, 120) + "..." : line;
  }
}
