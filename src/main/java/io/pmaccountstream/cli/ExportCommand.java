package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.replay.ExportJob;
import io.pmaccountstream.replay.ReplayException;
import io.pmaccountstream.replay.SnapshotSink;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code export}: raw snapshot history of a time range to a file for notebooks. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Export the raw AccountSnapshot history of a time range, as the topic holds it, to an Avro"
          + " container file (.avro: fastavro, pandas, Spark), CSV (.csv, decimals as exact"
          + " strings) or Parquet (.parquet, uncompressed). See docs/backtesting.md."
    })
final class ExportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin HistoryArguments history;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The file to write: .avro, .csv or .parquet.")
  Path out;

  @Override
  public Integer call() {
    ExportJob.Settings settings = read(Clock.systemUTC());
    try {
      new ExportJob(settings, Clock.systemUTC(), spec.commandLine().getErr()).run();
      return 0;
    } catch (ReplayException | KafkaException e) {
      spec.commandLine().getErr().println("export failed: " + e.getMessage());
      return 1;
    }
  }

  /** Every setting, validated together: all problems are reported at once. */
  ExportJob.Settings read(Clock clock) {
    return history.config.read(history.flags(), reader -> read(reader, clock));
  }

  private ExportJob.Settings read(ConfigReader reader, Clock clock) {
    HistoryArguments.Common common = history.common(reader, clock);
    SnapshotSink.refusal(out).ifPresent(reader::problem);
    reader.throwIfProblems();
    return new ExportJob.Settings(
        common.connection(),
        common.topics(),
        common.range(),
        common.accounts(),
        out,
        history.quiet);
  }
}
