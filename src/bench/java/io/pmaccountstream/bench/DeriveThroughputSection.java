package io.pmaccountstream.bench;

import io.pmaccountstream.kafka.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Section 2: the {@code derive} command (a child JVM, exactly-once v2, its defaults: one stream
 * thread, the shipped commit interval and tuning) started from scratch (a new application id, an
 * empty state directory) on the preloaded snapshots, {@link #PAIRS} times, each right after a run
 * of the pass-through app on the same input; then once with two stream threads. A run is done when
 * the application's committed offsets on the input reach its end ({@link StreamsRun}). The 1-thread
 * figures are medians, with their spread.
 */
final class DeriveThroughputSection implements Section {

  static final String ID = "2";
  static final String FROM_LAUNCH = "derive from launch";
  static final String STEADY = "derive after first commit";

  /** Back-to-back (pass-through, derive) pairs of the 1-thread figures. */
  static final int PAIRS = 3;

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
            + " interval and tuning, 1 stream thread), "
            + PAIRS
            + " times, each right after a run of the pass-through app (section 2p's) on the same"
            + " input; then once with derive.threads=2");
    double passThrough = oneThread(context, input.records());
    StreamsRun run =
        derive(
            context,
            "derive-2t",
            PipelineInput.TOPICS,
            input.records(),
            Map.of("derive.threads", "2"));
    String label = "2 threads";
    if (!run.incidents().isEmpty()) {
      report.setting(ID, "incidents, " + label, run.incidents());
    }
    report.figure(ID, "start-up to first commit, " + label, run.startupSeconds(), "s");
    report.figure(ID, FROM_LAUNCH + ", " + label, run.fromLaunch(), "records/s");
    report.figure(ID, STEADY + ", " + label, run.steady(), "records/s", null, run.incidents());
    baselineRatio(report, run.steady(), label);
    report.figure(
        ID,
        "ratio to Streams pass-through, " + label,
        run.steady() / passThrough,
        "×",
        null,
        "after first commit vs the median pass-through of the 1-thread pairs "
            + Report.Figures.format(passThrough)
            + " records/s");
  }

  /**
   * derive with 1 thread, as {@link #PAIRS} back-to-back pairs (the pass-through app, then derive):
   * a shared machine's load drifts over minutes, and a pair shares it, so the median of the pairs'
   * ratios is the figure to compare across runs. Returns the median pass-through rate.
   */
  private static double oneThread(BenchContext context, long records) throws Exception {
    Report report = context.report();
    String label = "1 thread";
    List<Double> passThroughs = new ArrayList<>();
    List<Double> derives = new ArrayList<>();
    List<Double> fromLaunch = new ArrayList<>();
    List<Double> startups = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < PAIRS; i++) {
      StreamsRun passThrough = PassThroughSection.passThrough(context, records);
      StreamsRun derive =
          derive(
              context, "derive-1t", PipelineInput.TOPICS, records, Map.of("derive.threads", "1"));
      if (!passThrough.incidents().isEmpty() || !derive.incidents().isEmpty()) {
        report.setting(
            ID,
            "incidents, pair " + (i + 1),
            String.join(" ", passThrough.incidents(), derive.incidents()).strip());
      }
      passThroughs.add(passThrough.steady());
      derives.add(derive.steady());
      fromLaunch.add(derive.fromLaunch());
      startups.add(derive.startupSeconds());
      ratios.add(derive.steady() / passThrough.steady());
      pairs.add(
          Report.Figures.format(derive.steady())
              + " / "
              + Report.Figures.format(passThrough.steady()));
    }
    report.median(ID, "start-up to first commit, " + label, startups, "s", null, "");
    report.median(ID, FROM_LAUNCH + ", " + label, fromLaunch, "records/s", null, "");
    double derive = report.median(ID, STEADY + ", " + label, derives, "records/s", null, "");
    double passThrough =
        report.median(
            ID,
            "pass-through after first commit, paired runs",
            passThroughs,
            "records/s",
            null,
            "");
    baselineRatio(report, derive, label);
    report.median(
        ID,
        "ratio to Streams pass-through, " + label,
        ratios,
        "×",
        Report.Target.atLeast(0.8),
        "per back-to-back pair, derive / pass-through after first commit: "
            + String.join(", ", pairs));
    return passThrough;
  }

  /** derive's rate against the baseline of the same run, when it ran. */
  static void baselineRatio(Report report, double steady, String label) {
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
    List<String> lines =
        new ArrayList<>(
            List.of(
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
    Path config = context.writeConfig("derive-" + run + ".properties", lines);
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
