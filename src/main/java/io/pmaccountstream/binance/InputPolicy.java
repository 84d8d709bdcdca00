package io.pmaccountstream.binance;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pmaccountstream.binance.AccountInfoParser.BadPayloadException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The domain of every value read from {@code GET /papi/v1/account}, in one place: what {@link
 * AccountInfoParser} accepts, what {@link AccountInfo} can hold, and so what the snapshot mapper
 * and the Avro serializer ({@code decimal(38, 8)}) are always able to write. {@code
 * docs/reliability.md} has the same rules as a table; each row has a test named after it.
 *
 * <ul>
 *   <li>Decimals: plain notation as Binance writes them, {@code -?digits[.digits]}, at most {@value
 *       #MAX_INTEGER_DIGITS} integer digits and {@value #MAX_SCALE} decimal places; no exponent,
 *       sign {@code +}, NaN or Infinity ({@code -0} is zero); always a JSON string, as Binance
 *       documents (a JSON number is another API, not a decimal to guess at). Margins and the
 *       withdrawable amount are never negative.
 *   <li>{@code updateTime}: epoch milliseconds, not before {@link #UPDATE_TIME_NOT_BEFORE} and not
 *       more than {@code binance.update.time.max.ahead} ahead of the server clock.
 *   <li>{@code accountStatus}: 1 to {@value #MAX_STATUS_LENGTH} characters, no control characters;
 *       a value Binance adds later is {@link PmAccountStatus#UNKNOWN} with its text kept.
 * </ul>
 *
 * Anything outside is a {@link BadPayloadException} whose message names the field, the rule and the
 * value (Binance's data, never ours). Every body and user-data frame from Binance is read as {@link
 * #STRICT_JSON} reads it.
 */
public final class InputPolicy {

  /** Decimal places of every decimal in schemas/ (the mapper writes at exactly this scale). */
  public static final int MAX_SCALE = 8;

  /** Integer digits that fit {@code decimal(38, 8)}. */
  public static final int MAX_INTEGER_DIGITS = 30;

  /** Binance Portfolio Margin did not exist before; an earlier updateTime is not an account's. */
  public static final Instant UPDATE_TIME_NOT_BEFORE = Instant.parse("2017-01-01T00:00:00Z");

  public static final int MAX_STATUS_LENGTH = 64;

  /** The default of {@code binance.update.time.max.ahead}. */
  public static final Duration DEFAULT_UPDATE_TIME_MAX_AHEAD = Duration.ofMinutes(5);

  /** Deep enough for any Binance answer; deeper is an attack on the parser, not an account. */
  public static final int MAX_NESTING_DEPTH = 32;

  /**
   * The one reader of JSON from Binance (REST bodies, error bodies, user-data frames): a repeated
   * key at any depth, anything after the value, or nesting deeper than {@value #MAX_NESTING_DEPTH}
   * is an error; numbers are {@link BigDecimal} and {@link java.math.BigInteger}, never {@code
   * double} or a wrapped {@code long}. Immutable, so it is shared.
   */
  public static final ObjectReader STRICT_JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                  .build())
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build()
          .reader();

  /** A policy with the defaults, for tools and tests. */
  public static final InputPolicy DEFAULT = new InputPolicy(DEFAULT_UPDATE_TIME_MAX_AHEAD);

  private static final Pattern PLAIN_DECIMAL = Pattern.compile("-?(\\d+)(?:\\.(\\d+))?");
  private static final Pattern EPOCH_MILLIS = Pattern.compile("\\d{1,18}");

  /** Whether a decimal may be negative. */
  public enum Sign {
    ANY,
    NON_NEGATIVE
  }

  /** Whether a field must carry a value; an optional one may be {@code ""}, null or absent. */
  public enum Presence {
    REQUIRED,
    OPTIONAL
  }

  /** One decimal field of the account and its domain. */
  public record DecimalField(String name, Presence presence, Sign sign) {}

  public static final DecimalField UNI_MMR =
      new DecimalField("uniMMR", Presence.OPTIONAL, Sign.ANY);
  public static final DecimalField ACCOUNT_EQUITY =
      new DecimalField("accountEquity", Presence.REQUIRED, Sign.ANY);
  public static final DecimalField ACTUAL_EQUITY =
      new DecimalField("actualEquity", Presence.REQUIRED, Sign.ANY);
  public static final DecimalField ACCOUNT_INITIAL_MARGIN =
      new DecimalField("accountInitialMargin", Presence.REQUIRED, Sign.NON_NEGATIVE);
  public static final DecimalField ACCOUNT_MAINT_MARGIN =
      new DecimalField("accountMaintMargin", Presence.REQUIRED, Sign.NON_NEGATIVE);
  public static final DecimalField VIRTUAL_MAX_WITHDRAW_AMOUNT =
      new DecimalField("virtualMaxWithdrawAmount", Presence.OPTIONAL, Sign.NON_NEGATIVE);
  public static final DecimalField TOTAL_AVAILABLE_BALANCE =
      new DecimalField("totalAvailableBalance", Presence.OPTIONAL, Sign.ANY);
  public static final DecimalField TOTAL_MARGIN_OPEN_LOSS =
      new DecimalField("totalMarginOpenLoss", Presence.OPTIONAL, Sign.NON_NEGATIVE);

  /** Every decimal field, in the order of Binance's documentation. */
  public static final List<DecimalField> DECIMALS =
      List.of(
          UNI_MMR,
          ACCOUNT_EQUITY,
          ACTUAL_EQUITY,
          ACCOUNT_INITIAL_MARGIN,
          ACCOUNT_MAINT_MARGIN,
          VIRTUAL_MAX_WITHDRAW_AMOUNT,
          TOTAL_AVAILABLE_BALANCE,
          TOTAL_MARGIN_OPEN_LOSS);

  private final Duration updateTimeMaxAhead;

  /**
   * @param updateTimeMaxAhead how far {@code updateTime} may lie ahead of the server clock
   */
  public InputPolicy(Duration updateTimeMaxAhead) {
    if (updateTimeMaxAhead.isNegative()) {
      throw new IllegalArgumentException("updateTimeMaxAhead is negative: " + updateTimeMaxAhead);
    }
    this.updateTimeMaxAhead = updateTimeMaxAhead;
  }

  /** The policy the client's configuration asks for. */
  public static InputPolicy from(BinanceClientConfig config) {
    return new InputPolicy(config.updateTimeMaxAhead());
  }

  /**
   * The value of {@code field} written as {@code text} (a JSON string's content), if it lies in the
   * field's domain.
   *
   * @throws BadPayloadException naming the rule broken
   */
  public BigDecimal decimal(DecimalField field, String text) {
    Matcher plain = PLAIN_DECIMAL.matcher(text);
    if (!plain.matches()) {
      throw new BadPayloadException(
          field.name()
              + " is not a decimal in plain notation (digits, an optional leading '-' and '.';"
              + " no exponent, '+', NaN or Infinity): "
              + quote(text));
    }
    int integerDigits = plain.group(1).length();
    int scale = plain.group(2) == null ? 0 : plain.group(2).length();
    if (integerDigits > MAX_INTEGER_DIGITS) {
      throw new BadPayloadException(
          field.name()
              + " has "
              + integerDigits
              + " integer digits (at most "
              + MAX_INTEGER_DIGITS
              + "): "
              + quote(text));
    }
    if (scale > MAX_SCALE) {
      throw new BadPayloadException(
          field.name()
              + " has "
              + scale
              + " decimal places (at most "
              + MAX_SCALE
              + "): "
              + quote(text));
    }
    BigDecimal value = new BigDecimal(text);
    if (field.sign() == Sign.NON_NEGATIVE && value.signum() < 0) {
      throw new BadPayloadException(field.name() + " is negative: " + quote(text));
    }
    return value;
  }

  /**
   * {@code updateTime} written as {@code text} (epoch milliseconds, a JSON integer's literal), if
   * it lies between {@link #UPDATE_TIME_NOT_BEFORE} and {@code serverNow} plus {@code
   * binance.update.time.max.ahead}.
   *
   * @throws BadPayloadException naming the rule broken
   */
  public Instant updateTime(String text, Instant serverNow) {
    if (!EPOCH_MILLIS.matcher(text).matches()) {
      throw new BadPayloadException("updateTime is not epoch milliseconds: " + quote(text));
    }
    Instant time;
    try {
      time = Instant.ofEpochMilli(Long.parseLong(text));
    } catch (DateTimeException | NumberFormatException e) {
      throw new BadPayloadException("updateTime is out of range: " + quote(text));
    }
    if (time.isBefore(UPDATE_TIME_NOT_BEFORE)) {
      throw new BadPayloadException(
          "updateTime " + time + " is before " + UPDATE_TIME_NOT_BEFORE + ": " + quote(text));
    }
    Instant latest = serverNow.plus(updateTimeMaxAhead);
    if (time.isAfter(latest)) {
      throw new BadPayloadException(
          "updateTime "
              + time
              + " is more than "
              + updateTimeMaxAhead
              + " ahead of the server clock ("
              + serverNow
              + ")");
    }
    return time;
  }

  /**
   * {@code accountStatus} as sent, if it is 1 to {@value #MAX_STATUS_LENGTH} characters without
   * control characters or surrounding blanks.
   *
   * @throws BadPayloadException naming the rule broken
   */
  public String status(String text) {
    if (text.isBlank()) {
      throw new BadPayloadException("accountStatus is not a non-empty string: " + quote(text));
    }
    if (text.length() > MAX_STATUS_LENGTH) {
      throw new BadPayloadException(
          "accountStatus is longer than " + MAX_STATUS_LENGTH + " characters: " + quote(text));
    }
    if (!text.equals(text.strip()) || text.chars().anyMatch(Character::isISOControl)) {
      throw new BadPayloadException(
          "accountStatus has blanks around it or control characters: " + quote(text));
    }
    return text;
  }

  /**
   * Whether {@code value} can be written at the schemas' scale without rounding and within {@code
   * decimal(38, 8)}: what {@link AccountInfo} requires of every decimal, so that the mapper never
   * fails.
   */
  public static boolean fitsSchema(BigDecimal value) {
    Objects.requireNonNull(value, "value");
    BigDecimal stripped = value.stripTrailingZeros();
    if (stripped.scale() > MAX_SCALE) {
      return false;
    }
    int integerDigits = Math.max(0, stripped.precision() - stripped.scale());
    return integerDigits <= MAX_INTEGER_DIGITS;
  }

  /** A short view of a bad value for messages (Binance's data, never ours). */
  static String quote(String text) {
    String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
    StringBuilder out = new StringBuilder("\"");
    shown
        .codePoints()
        .forEach(
            c -> {
              if (Character.isISOControl(c) || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.append('"').toString();
  }
}
