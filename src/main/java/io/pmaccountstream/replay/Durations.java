package io.pmaccountstream.replay;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/** Durations as people and spreadsheets read them. */
final class Durations {

  private Durations() {}

  /** Seconds with millisecond precision: {@code 3600.250}. */
  static String seconds(Duration duration) {
    return BigDecimal.valueOf(duration.toMillis(), 3).toPlainString();
  }

  /**
   * Short human form: {@code 0s}, {@code 12.5s}, {@code 4m05s}, {@code 2h03m05s}, {@code 3d04h05m}.
   */
  static String human(Duration duration) {
    long ms = duration.toMillis();
    if (ms == 0) {
      return "0s";
    }
    if (ms < 60_000) {
      return BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s";
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s % 3600) / 60, s % 60);
    }
    return String.format(
        Locale.ROOT, "%dd%02dh%02dm", s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
  }
}
