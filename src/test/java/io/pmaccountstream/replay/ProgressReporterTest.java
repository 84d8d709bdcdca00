package io.pmaccountstream.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.testing.TestClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {

  private final StringWriter text = new StringWriter();
  private final PrintWriter err = new PrintWriter(text);
  private final TestClock clock = TestClock.at("2026-11-24T10:00:00Z");

  @Test
  void reportsRecordsRateShareOfOffsetsAndEta() {
    ProgressReporter progress =
        new ProgressReporter("replay", err, clock, Duration.ofSeconds(2), 1_000_000);

    clock.advance(Duration.ofSeconds(4));
    progress.onRecord(400 * 1024, 400_000);

    assertThat(output())
        .isEqualTo(
            "replay: 409,600 records, 102,400 records/s, 40% of 1,000,000 offsets, ETA 6s\n");
  }

  @Test
  void printsAtMostOncePerInterval() {
    ProgressReporter progress =
        new ProgressReporter("export", err, clock, Duration.ofSeconds(2), 10_000_000);

    for (int step = 1; step <= 10; step++) {
      clock.advance(Duration.ofMillis(500));
      progress.onRecord(step * 1024L, step * 1024L);
    }

    assertThat(progress.reports()).isEqualTo(2);
    assertThat(output().lines()).hasSize(2);
  }

  @Test
  void staysQuietBeforeTheFirstInterval() {
    ProgressReporter progress =
        new ProgressReporter("replay", err, clock, Duration.ofSeconds(2), 100);

    clock.advance(Duration.ofMillis(1_999));
    progress.onRecord(1024, 50);

    assertThat(output()).isEmpty();
  }

  @Test
  void silentNeverPrints() {
    ProgressReporter progress = ProgressReporter.silent();
    progress.onRecord(1024, 1024);
    assertThat(progress.reports()).isZero();
  }

  private String output() {
    return text.toString().replace(System.lineSeparator(), "\n");
  }
}
