package io.pmaccountstream.bench;

import io.pmaccountstream.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Section 2: the {@code derive} command (a child JVM, exactly-once v2, its defaults: one stream
 * thread, the shipped commit interval and tuning; then again with two stream threads) started from
 * scratch (a new application id, an empty state directory) on the preloaded snapshots. Done when
 * the application's committed offsets on the input reach its end ({@link StreamsRun}).
 */
final class DeriveThroughputSection implements Section {

  static final String ID = "2";
  static final String FROM_LAUNCH = "derive from launch";
  static final String STEADY = "derive after first commit";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "derivation throughput";
  }

  @Override
  public Optional<String> unavailable(BenchContext context) {
    if (!Cli.hasCommand("derive")) {
      return Optional.of("the derive command does not exist in this build yet");
    }
    return context.schemaRegistryUrl().isEmpty()
        ? Optional.of("needs --schema-registry-url")
        : Optional.empty();
  }

  @Override
  public void run(BenchContext context) throws Exception {
    Report report = context.report();
    PipelineInput input = PipelineInput.of(context);
    report.setting(ID, "records", input.records());
    report.setting(
        ID,
        "derive",
        "derive command in a child JVM (-Xmx1g), its defaults (exactly_once_v2, shipped commit"
            + " interval and tuning, 1 stream thread), then the same with derive.threads=2");
    for (int threads : List.of(1, 2)) {
      String label = threads == 1 ? "1 thread" : threads + " threads";
      StreamsRun run =
          derive(
              context,
              "derive-" + threads + "t",
              PipelineInput.TOPICS,
              input.records(),
              Map.of("derive.threads", Integer.toString(threads)));
      if (!run.incidents().isEmpty()) {
        report.setting(ID, "incidents, " + label, run.incidents());
      }
      report.figure(ID, "start-up to first commit, " + label, run.startupSeconds(), "s");
      report.figure(ID, FROM_LAUNCH + ", " + label, run.fromLaunch(), "records/s");
      report.figure(ID, STEADY + ", " + label, run.steady(), "records/s", null, run.incidents());
      ratios(report, run.steady(), label);
    }
  }

  /** derive's rate against the baseline and the pass-through of the same run, when they ran. */
  static void ratios(Report report, double steady, String label) {
    Optional<Report.Figure> produce = report.find(BaselineSection.ID, BaselineSection.PRODUCE);
    Optional<Report.Figure> consume = report.find(BaselineSection.ID, BaselineSection.CONSUME);
    if (produce.isPresent() && consume.isPresent()) {
      double baseline = Math.min(produce.get().value(), consume.get().value());
      report.figure(
          ID,
          "ratio to baseline min(produce, consume), " + label,
          steady / baseline,
          "×",
          label.equals("1 thread") ? Report.Target.atLeast(0.5) : null,
          "after first commit vs baseline (medians) "
              + Report.Figures.format(baseline)
              + " records/s");
    }
    Optional<Report.Figure> passThrough =
        report.find(PassThroughSection.ID, PassThroughSection.STEADY);
    if (passThrough.isPresent()) {
      report.figure(
          ID,
          "ratio to Streams pass-through, " + label,
          steady / passThrough.get().value(),
          "×",
          label.equals("1 thread") ? Report.Target.atLeast(0.8) : null,
          "after first commit vs pass-through (1 thread) "
              + Report.Figures.format(passThrough.get().value())
              + " records/s");
    }
  }

  /**
   * Runs the derive command from scratch on {@code topics.snapshots()} until it committed {@code
   * records}; {@code extra} are more lines of its configuration (overrides of its defaults).
   */
  static StreamsRun derive(
      BenchContext context, String name, Topics topics, long records, Map<String, String> extra)
      throws Exception {
    String run = Long.toString(System.currentTimeMillis());
    String applicationId = "pmas-bench-derive-" + run;
    context.deleteTopics(
        Set.of(
            topics.statusTransitions(), topics.lowUniMmr(), topics.latest(), topics.deadLetter()));
    Path config = context.workDir().resolve("derive-" + run + ".properties");
    List<String> lines =
        new ArrayList<>(
            List.of(
                "bootstrap.servers=" + context.bootstrapServers(),
                "schema.registry.url=" + context.schemaRegistryUrl().orElseThrow(),
                Topics.SNAPSHOTS.name() + "=" + topics.snapshots(),
                Topics.STATUS_TRANSITIONS.name() + "=" + topics.statusTransitions(),
                Topics.LOW_UNIMMR.name() + "=" + topics.lowUniMmr(),
                Topics.LATEST.name() + "=" + topics.latest(),
                Topics.DEAD_LETTER.name() + "=" + topics.deadLetter(),
                "derive.application.id=" + applicationId,
                "ops.http.port=0",
                // every snapshot emits (events and the latest snapshot) as it would live: with the
                // default first-start, a history older than the app's start only warms the state up
                "derive.emit.from=all",
                "derive.state.dir="
                    + context.workDir().resolve("state").resolve(applicationId).toAbsolutePath()));
    extra.forEach((key, value) -> lines.add(key + "=" + value));
    lines.add("");
    Files.writeString(config, String.join("\n", lines));
    return StreamsRun.measure(
        context,
        name,
        Cli.MAIN_CLASS,
        List.of("derive", "--config", config.toString()),
        applicationId,
        topics.snapshots(),
        records);
  }
}
