package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.replay.EventSink;
import io.pmaccountstream.replay.ReplayException;
import io.pmaccountstream.replay.ReplayJob;
import io.pmaccountstream.replay.TopicEventSink;
import io.pmaccountstream.replay.WarmUp;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code replay}: history through the derivation, with the live or a what-if configuration. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Replay snapshot history of a time range through the derivation (the live topology's code)"
          + " and write the status-transition and uniMMR level events to a file or to prefixed"
          + " topics, optionally with a breach summary per account and level.",
      "State before --from is rebuilt from earlier history (--warm-up), so the first events are"
          + " not spurious. With the live configuration and --warm-up all the events equal the"
          + " live ones (same event ids and values). See docs/backtesting.md."
    })
final class ReplayCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin HistoryArguments history;

  @Option(
      names = "--levels",
      paramLabel = "L1,L2",
      description = "What-if uniMMR levels, e.g. 1.3,1.1 (overrides derive.levels).")
  String levels;

  @Option(
      names = "--hysteresis",
      paramLabel = "H",
      description = "What-if recovery hysteresis, e.g. 0.01 (overrides derive.hysteresis).")
  String hysteresis;

  @Option(
      names = "--warm-up",
      defaultValue = "all",
      paramLabel = "all|none|DURATION",
      description =
          "History before --from that rebuilds state: all (from the topic's beginning, exact"
              + " fidelity), a positive duration such as 7d (faster; the first events may differ)"
              + " or none. Default: ${DEFAULT-VALUE}.")
  String warmUp;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description =
          "Write events to FILE: .jsonl/.json (JSON lines) or .avro (two container files,"
              + " <base>.status-transitions.avro and <base>.low-unimmr.avro).")
  Path out;

  @Option(
      names = "--out-topic",
      paramLabel = "PREFIX",
      description =
          "Produce events to PREFIX + the live topic names (never the live topics themselves).")
  String outTopic;

  @Option(
      names = "--summary",
      description = "Print breaches, time below each level and transitions per account.")
  boolean summary;

  @Option(
      names = "--summary-out",
      paramLabel = "FILE",
      description = "Also write the summary to FILE (.csv or .json).")
  Path summaryOut;

  @Override
  public Integer call() {
    ReplayJob.Settings settings = read(Clock.systemUTC());
    try {
      new ReplayJob(
              settings, Clock.systemUTC(), spec.commandLine().getOut(), spec.commandLine().getErr())
          .run();
      return 0;
    } catch (ReplayException | KafkaException e) {
      spec.commandLine().getErr().println("replay failed: " + e.getMessage());
      return 1;
    }
  }

  /** Every setting, validated together: all problems are reported at once. */
  ReplayJob.Settings read(Clock clock) {
    Map<String, String> flags = history.flags();
    flags.put(DerivationConfig.LEVELS.name(), levels);
    flags.put(DerivationConfig.HYSTERESIS.name(), hysteresis);
    return history.config.read(flags, reader -> read(reader, clock));
  }

  private ReplayJob.Settings read(ConfigReader reader, Clock clock) {
    HistoryArguments.Common common = history.common(reader, clock);
    Optional<DerivationConfig> derivation = reader.component(DerivationConfig::from);
    Optional<WarmUp> warmUpSetting = warmUp(reader);
    Optional<ReplayJob.Output> output = output(reader, common.topics());
    if (summaryOut != null) {
      String name = summaryOut.getFileName().toString().toLowerCase(Locale.ROOT);
      if (!name.endsWith(".csv") && !name.endsWith(".json")) {
        reader.problem("--summary-out " + summaryOut + ": the extension must be .csv or .json");
      }
    }
    reader.throwIfProblems();
    return new ReplayJob.Settings(
        common.connection(),
        common.topics(),
        derivation.orElseThrow(),
        common.range(),
        warmUpSetting.orElseThrow(),
        common.accounts(),
        output.orElseThrow(),
        summary,
        Optional.ofNullable(summaryOut),
        history.quiet);
  }

  private Optional<WarmUp> warmUp(ConfigReader reader) {
    try {
      return Optional.of(WarmUp.parse(warmUp));
    } catch (IllegalArgumentException e) {
      reader.problem("--warm-up: " + e.getMessage() + " (or all, none)");
      return Optional.empty();
    }
  }

  private Optional<ReplayJob.Output> output(ConfigReader reader, Topics topics) {
    if (out != null && outTopic != null) {
      reader.problem("give either --out FILE or --out-topic PREFIX, not both");
      return Optional.empty();
    }
    if (out != null) {
      EventSink.refusal(out).ifPresent(reader::problem);
      return Optional.of(new ReplayJob.Output.ToFile(out));
    }
    if (outTopic != null) {
      try {
        if (topics != null) {
          TopicEventSink.prefixed(topics, outTopic);
        }
      } catch (IllegalArgumentException e) {
        reader.problem(e.getMessage());
      }
      return Optional.of(new ReplayJob.Output.ToTopics(outTopic));
    }
    if (!summary && summaryOut == null) {
      reader.problem(
          "nothing to write: give --out FILE, --out-topic PREFIX, --summary or --summary-out");
    }
    return Optional.of(new ReplayJob.Output.Nowhere());
  }
}
