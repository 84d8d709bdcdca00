package io.pmaccountstream.replay;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress of a long read on stderr, at most once per interval: records read, their rate, the share
 * of planned offsets behind us and the time left at the current rate, e.g.
 *
 * <pre>
 * replay: 1,234,567 records, 412,310 records/s, 63% of 1,950,000 offsets, ETA 2s
 * </pre>
 *
 * The ETA is computed from offsets (the planned end is known exactly) and the offset rate so far.
 * Checking the clock costs nothing measurable: it happens once every {@value #CHECK_EVERY} records.
 */
public final class ProgressReporter {

  static final int CHECK_EVERY = 1024;

  /** How often the commands report: every ~2 s. */
  public static final Duration INTERVAL = Duration.ofSeconds(2);

  private final String label;
  private final PrintWriter out;
  private final Clock clock;
  private final long intervalMillis;
  private final long totalOffsets;
  private final long startMillis;
  private long nextReportMillis;
  private int reports;

  public ProgressReporter(
      String label, PrintWriter out, Clock clock, Duration interval, long totalOffsets) {
    this.label = label;
    this.out = out;
    this.clock = clock;
    this.intervalMillis = interval.toMillis();
    this.totalOffsets = totalOffsets;
    this.startMillis = clock.millis();
    this.nextReportMillis = startMillis + intervalMillis;
  }

  /** A reporter that never prints ({@code --quiet}). */
  public static ProgressReporter silent() {
    return new ProgressReporter("", null, Clock.systemUTC(), Duration.ZERO, 0);
  }

  /**
   * Called once per record read; prints when the interval has passed.
   *
   * @param records records read so far
   * @param offsetsDone planned offsets behind us so far
   */
  public void onRecord(long records, long offsetsDone) {
    if (out == null || records % CHECK_EVERY != 0) {
      return;
    }
    long now = clock.millis();
    if (now >= nextReportMillis) {
      out.println(line(records, offsetsDone, now));
      out.flush();
      nextReportMillis = now + intervalMillis;
      reports++;
    }
  }

  /** Progress lines printed so far. */
  public int reports() {
    return reports;
  }

  String line(long records, long offsetsDone, long now) {
    double seconds = Math.max(1, now - startMillis) / 1000.0;
    long rate = Math.round(records / seconds);
    StringBuilder text =
        new StringBuilder(label)
            .append(": ")
            .append(String.format(Locale.ROOT, "%,d", records))
            .append(" records, ")
            .append(String.format(Locale.ROOT, "%,d", rate))
            .append(" records/s");
    if (totalOffsets > 0) {
      long percent = Math.min(100, offsetsDone * 100 / totalOffsets);
      text.append(", ")
          .append(percent)
          .append("% of ")
          .append(String.format(Locale.ROOT, "%,d", totalOffsets))
          .append(" offsets");
      double offsetRate = offsetsDone / seconds;
      if (offsetRate > 0) {
        long left = Math.round((totalOffsets - offsetsDone) / offsetRate);
        text.append(", ETA ").append(Durations.human(Duration.ofSeconds(left)));
      }
    }
    return text.toString();
  }
}
