package io.pmaccountstream.config;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way this project writes a duration, in configuration keys, scenario files and command
 * arguments:
 *
 * <ul>
 *   <li>a number and a unit: {@code 500ms}, {@code 90s}, {@code 1.5m}, {@code 30min}, {@code 2h},
 *       {@code 7d}, {@code 2w} (units ms, s, m or min, h, d, w; case does not matter, a space
 *       between number and unit is allowed). The unit is required: a bare {@code 5} could mean
 *       seconds or milliseconds, so it is refused rather than guessed;
 *   <li>or ISO-8601 as {@link Duration#parse} reads it: {@code PT5S}, {@code PT1H30M}, {@code P1D}.
 * </ul>
 *
 * <p>Values are whole milliseconds, like record timestamps: a value finer than that ({@code 0.5ms},
 * {@code PT0.0001S}) or too long to count in milliseconds is refused, never rounded or truncated.
 * {@link #parse} takes no sign and refuses negative values; {@link #parseSigned} is the same
 * grammar with an optional leading {@code +} or {@code -} (and negative ISO-8601 such as {@code
 * PT-2S}), for the few values that are offsets: a clock skew, a time relative to now.
 *
 * <p>Messages of the {@link IllegalArgumentException}s say what is wrong without repeating the
 * text, so callers can prefix where it came from ({@code poll.interval = 'x' (from flag) ...}).
 */
public final class Durations {

  /** Examples every message names. */
  public static final String FORMS =
      "a number and a unit (500ms, 90s, 30m, 2h, 7d, 2w) or ISO-8601 (PT1H30M)";

  private static final Pattern WITH_UNIT =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-z]*)", Pattern.CASE_INSENSITIVE);
  private static final long MILLIS_PER_DAY = 86_400_000L;
  private static final int NANOS_PER_MILLI = 1_000_000;

  private Durations() {}

  /**
   * A duration of zero or more.
   *
   * @throws IllegalArgumentException when the text is not in the grammar, has a sign, is negative,
   *     finer than a millisecond or too long
   */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.startsWith("-") || s.startsWith("+")) {
      throw new IllegalArgumentException("takes no sign: " + FORMS);
    }
    Duration value = unsigned(s);
    if (value.isNegative()) {
      throw new IllegalArgumentException("must not be negative");
    }
    return value;
  }

  /**
   * A positive duration: {@link #parse}, and zero is refused too (a negative ISO-8601 value such as
   * {@code PT-1S} is refused as not positive).
   */
  public static Duration parsePositive(String text) {
    String s = text.trim();
    if (s.startsWith("-") || s.startsWith("+")) {
      throw new IllegalArgumentException("takes no sign: " + FORMS);
    }
    Duration value = unsigned(s);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("must be positive");
    }
    return value;
  }

  /**
   * An offset: the grammar of {@link #parse} with an optional leading {@code +} or {@code -}
   * ({@code -1500ms}, {@code +3s}, {@code -PT2S}); negative ISO-8601 ({@code PT-2S}) is read too.
   */
  public static Duration parseSigned(String text) {
    String s = text.trim();
    boolean negative = s.startsWith("-");
    if (negative || s.startsWith("+")) {
      s = s.substring(1);
      if (s.startsWith("-") || s.startsWith("+") || s.isBlank()) {
        throw new IllegalArgumentException("expected one sign and " + FORMS);
      }
    }
    Duration value = unsigned(s);
    return negative ? value.negated() : value;
  }

  /** Whether {@link #parseSigned} reads the text (for {@link ConfigField#validate}). */
  public static boolean isValidSigned(String text) {
    try {
      parseSigned(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Duration unsigned(String s) {
    if (s.regionMatches(true, 0, "P", 0, 1)) {
      return iso(s);
    }
    Matcher m = WITH_UNIT.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("expected " + FORMS);
    }
    String unit = m.group(2).toLowerCase(Locale.ROOT);
    if (unit.isEmpty()) {
      throw new IllegalArgumentException(
          "needs a unit (ms, s, m, h, d or w): write " + m.group(1) + "s or " + m.group(1) + "ms");
    }
    long unitMillis =
        switch (unit) {
          case "ms" -> 1L;
          case "s" -> 1_000L;
          case "m", "min" -> 60_000L;
          case "h" -> 3_600_000L;
          case "d" -> MILLIS_PER_DAY;
          case "w" -> 7 * MILLIS_PER_DAY;
          default ->
              throw new IllegalArgumentException(
                  "unknown unit '" + m.group(2) + "' (use ms, s, m, h, d or w)");
        };
    BigDecimal millis = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitMillis));
    if (millis.stripTrailingZeros().scale() > 0) {
      throw finerThanAMillisecond();
    }
    if (millis.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw tooLong();
    }
    return Duration.ofMillis(millis.longValueExact());
  }

  private static Duration iso(String s) {
    Duration value;
    try {
      value = Duration.parse(s.toUpperCase(Locale.ROOT));
    } catch (DateTimeException e) {
      if (e.getCause() instanceof ArithmeticException
          || e.getCause() instanceof NumberFormatException) {
        throw tooLong();
      }
      throw new IllegalArgumentException("expected " + FORMS);
    }
    if (value.getNano() % NANOS_PER_MILLI != 0) {
      throw finerThanAMillisecond();
    }
    try {
      value.toMillis();
    } catch (ArithmeticException e) {
      throw tooLong();
    }
    return value;
  }

  private static IllegalArgumentException finerThanAMillisecond() {
    return new IllegalArgumentException("finer than a millisecond, the smallest step");
  }

  private static IllegalArgumentException tooLong() {
    return new IllegalArgumentException(
        "too long: at most " + Long.MAX_VALUE / MILLIS_PER_DAY + "d");
  }
}
