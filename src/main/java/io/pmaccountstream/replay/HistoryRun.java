package io.pmaccountstream.replay;

import io.pmaccountstream.kafka.KafkaConnection;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The sequence {@code replay} and {@code export} share: open the history of the range, print its
 * read plan, report progress over the planned offsets, run the job's own part, and time it for the
 * end-of-run report. The history is closed whatever happens.
 */
final class HistoryRun {

  /** The job's own part, given the open history. */
  @FunctionalInterface
  interface Body<R> {
    /**
     * @param elapsed the time since the run started, for the end-of-run report
     */
    R run(KafkaHistory history, ProgressReporter progress, Supplier<Duration> elapsed);
  }

  private final String label;
  private final Clock clock;
  private final PrintWriter err;
  private final boolean quiet;

  /**
   * @param label the command, which prefixes every line on stderr
   * @param quiet no progress lines
   */
  HistoryRun(String label, Clock clock, PrintWriter err, boolean quiet) {
    this.label = label;
    this.clock = clock;
    this.err = err;
    this.quiet = quiet;
  }

  /**
   * Runs {@code body} over the history of {@code topic} in {@code range} (with {@code warmUp}
   * before it); {@code describe} words the read plan (after "{@code <label>: }").
   */
  <R> R run(
      KafkaConnection connection,
      String topic,
      TimeRange range,
      WarmUp warmUp,
      Function<ReadPlan, String> describe,
      Body<R> body) {
    long started = clock.millis();
    try (KafkaHistory history = KafkaHistory.open(connection, topic, range, warmUp, clock)) {
      ReadPlan plan = history.plan();
      err.println(label + ": " + describe.apply(plan));
      ProgressReporter progress =
          quiet
              ? ProgressReporter.silent()
              : new ProgressReporter(
                  label, err, clock, ProgressReporter.INTERVAL, plan.totalOffsets());
      return body.run(history, progress, () -> Duration.ofMillis(clock.millis() - started));
    }
  }
}
