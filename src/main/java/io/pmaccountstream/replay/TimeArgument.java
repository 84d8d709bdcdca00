package io.pmaccountstream.replay;

import io.pmaccountstream.config.Durations;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Parses the {@code --from}/{@code --to} arguments of {@code replay} and {@code export}: an
 * ISO-8601 instant ({@code 2026-11-24T10:00:00Z}, or with an offset {@code +01:00}), a date ({@code
 * 2026-11-24}, its start in UTC), {@code now}, or a time relative to now ({@code -2h}, {@code
 * -30m}, {@code -7d}: a minus and a duration in the grammar of {@link Durations}), at millisecond
 * precision like record timestamps. A date-time without a zone is refused: it would silently depend
 * on the machine's time zone.
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
      return now.plus(relative(text, s));
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

  /** A negative offset from now in the signed duration grammar: {@code -2h}, {@code -PT15M}. */
  private static Duration relative(String text, String s) {
    try {
      Duration offset = Durations.parseSigned(s);
      if (offset.isNegative()) {
        return offset;
      }
    } catch (IllegalArgumentException e) {
      // not a duration at all: the message below names the form
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a relative time: use - and a duration (-90s, -30m, -2h, -7d)");
  }

  /**
   * A positive duration in the project's one grammar ({@link Durations#parsePositive}): {@code
   * 500ms}, {@code 90s}, {@code 30m}, {@code 2h}, {@code 7d}, {@code 2w}, or ISO-8601 ({@code
   * PT2H}). It takes no sign: only the times relative to now of {@link #parse} are offsets.
   */
  public static Duration duration(String text) {
    try {
      return Durations.parsePositive(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration: " + e.getMessage());
    }
  }
}
