package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.replay.ExportJob;
import io.pmaccountstream.replay.ReplayException;
import io.pmaccountstream.replay.TimeRange;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
  @Mixin ConfigOptions config;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "TIME",
      description = "Start of the range (inclusive): 2026-11-24T10:00:00Z, 2026-11-24, -2h, now.")
  String from;

  @Option(
      names = "--to",
      defaultValue = "now",
      paramLabel = "TIME",
      description =
          "End of the range (exclusive), same forms as --from. Default: ${DEFAULT-VALUE}.")
  String to;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The file to write: .avro, .csv or .parquet.")
  Path out;

  @Option(
      names = "--accounts",
      split = ",",
      paramLabel = "ID",
      description = "Only these accounts (comma-separated). Default: all.")
  List<String> accounts = List.of();

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress lines on stderr.")
  boolean quiet;

  @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers.")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", description = "Confluent-API schema registry URL.")
  String schemaRegistryUrl;

  @Override
  public Integer call() {
    ExportJob.Settings settings;
    try {
      settings = read(Clock.systemUTC());
    } catch (ConfigException e) {
      return ConfigOptions.reportConfigProblems(e, spec.commandLine().getErr());
    }
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
    Map<String, String> flags = new HashMap<>();
    flags.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), bootstrapServers);
    flags.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl);
    ConfigReader reader = new ConfigReader(config.settings(flags));
    KafkaConnection connection = KafkaConnection.from(reader);
    Topics topics = Topics.from(reader);
    TimeRange range = HistoryArguments.range(reader, from, to, clock);
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".avro") && !name.endsWith(".csv") && !name.endsWith(".parquet")) {
      reader.problem("--out " + out + ": the extension must be .avro, .csv or .parquet");
    }
    reader.throwIfProblems();
    return new ExportJob.Settings(
        connection, topics, range, HistoryArguments.accounts(accounts), out, quiet);
  }
}
