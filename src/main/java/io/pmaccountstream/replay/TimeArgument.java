package io.pmaccountstream.replay;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Parses the {@code --from}/{@code --to} arguments of {@code replay} and {@code export}: an
 * ISO-8601 instant ({@code 2026-11-24T10:00:00Z}, or with an offset {@code +01:00}), a date ({@code
 * 2026-11-24}, its start in UTC), {@code now}, or a time relative to now ({@code -2h}, {@code
 * -30m}, {@code -7d}; units ms, s, m, h, d, w), at millisecond precision like record timestamps. A
 * date-time without a zone is refused: it would silently depend on the machine's time zone.
 */
public final class TimeArgument {

  private TimeArgument() {}

  /**
   * The instant {@code text} denotes.
   *
   * @throws IllegalArgumentException naming the accepted forms when the text is none of them
   */
  public static Instant parse(String text, Clock clock) {
    String s = text.trim();
    // Record timestamps are milliseconds; so are the times derived from the clock.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    if (s.equalsIgnoreCase("now")) {
      return now;
    }
    if (s.startsWith("-")) {
      try {
        return now.minus(duration(s.substring(1)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a relative time: use - and a duration (-90s, -30m, -2h, -7d)");
      }
    }
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a time: use an ISO-8601 instant (2026-11-24T10:00:00Z), a date"
              + " (2026-11-24, UTC), now, or a time relative to now (-2h, -30m, -7d)");
    }
  }

  /**
   * A positive duration written as a number and a unit: {@code 500ms}, {@code 90s}, {@code 30m},
   * {@code 2h}, {@code 7d}, {@code 2w}, or ISO-8601 ({@code PT2H}).
   */
  public static Duration duration(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    Duration result;
    if (s.startsWith("p")) {
      try {
        result = Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeException e) {
        throw notADuration(text);
      }
    } else {
      int split = 0;
      while (split < s.length() && (Character.isDigit(s.charAt(split)) || s.charAt(split) == '.')) {
        split++;
      }
      if (split == 0 || split == s.length()) {
        throw notADuration(text);
      }
      BigDecimal amount;
      try {
        amount = new BigDecimal(s.substring(0, split));
      } catch (NumberFormatException e) {
        throw notADuration(text);
      }
      long unitMillis =
          switch (s.substring(split)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m", "min" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            case "w" -> 7 * 86_400_000L;
            default -> throw notADuration(text);
          };
      result = Duration.ofMillis(amount.multiply(BigDecimal.valueOf(unitMillis)).longValue());
    }
    if (result.isNegative() || result.isZero()) {
      throw new IllegalArgumentException("'" + text + "' must be a positive duration");
    }
    return result;
  }

  private static IllegalArgumentException notADuration(String text) {
    return new IllegalArgumentException(
        "'" + text + "' is not a duration: use a number and a unit (90s, 30m, 2h, 7d, 2w)");
  }
}
