package io.pmaccountstream.replay;

import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code pm-account-stream export}: the raw snapshots of a range, as the topic holds them (stale
 * and out-of-order ones included, no derivation), to an Avro container or CSV file for notebooks.
 */
public final class ExportJob {

  /**
   * Everything an export needs, validated.
   *
   * @param connection Kafka and the schema registry
   * @param topics the topic names (the snapshot topic is read)
   * @param range the requested range
   * @param accounts the accounts to export
   * @param out the .avro or .csv file
   * @param quiet no progress lines
   */
  public record Settings(
      KafkaConnection connection,
      Topics topics,
      TimeRange range,
      AccountFilter accounts,
      Path out,
      boolean quiet) {

    public Settings {
      Objects.requireNonNull(connection, "connection");
      Objects.requireNonNull(topics, "topics");
      Objects.requireNonNull(range, "range");
      Objects.requireNonNull(accounts, "accounts");
      Objects.requireNonNull(out, "out");
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final PrintWriter err;

  public ExportJob(Settings settings, Clock clock, PrintWriter err) {
    this.settings = settings;
    this.clock = clock;
    this.err = err;
  }

  /** Exports the range; throws {@link ReplayException} if it cannot. */
  public ReplayReport run() {
    return new HistoryRun("export", clock, err, settings.quiet())
        .run(
            settings.connection(),
            settings.topics().snapshots(),
            settings.range(),
            WarmUp.none(),
            plan ->
                String.format(
                    Locale.ROOT,
                    "%s %s on %d partitions: %,d offsets, %s",
                    plan.topic(),
                    settings.range(),
                    plan.partitions().size(),
                    plan.rangeOffsets(),
                    settings.accounts()),
            (history, progress, elapsed) -> {
              SnapshotSink sink = SnapshotSink.forFile(settings.out());
              ReplayReport report;
              try (sink) {
                report =
                    new Exporter(
                            history.reader(),
                            history.decoder(),
                            settings.accounts(),
                            sink,
                            progress)
                        .run();
              }
              ReportPrinter.printExport(err, report, sink.destinations(), elapsed.get());
              return report;
            });
  }
}
