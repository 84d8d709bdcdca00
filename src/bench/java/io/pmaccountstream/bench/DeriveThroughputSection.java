package io.pmaccountstream.bench;

import io.pmaccountstream.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Section 2: the {@code derive} command (a child JVM, exactly-once v2, its defaults: one stream
 * thread, commit interval 100 ms; then again with two stream threads) started from scratch (a new
 * application id, an empty state directory) on the preloaded snapshots. Done when the application's
 * committed offsets on the input reach its end: with exactly-once the offsets commit in the same
 * transactions as the outputs, so every output is committed by then.
 */
final class DeriveThroughputSection implements Section {

  static final String ID = "2";
  static final String FROM_LAUNCH = "derive from launch";
  static final String STEADY = "derive after first commit";
  private static final Duration TIMEOUT = Duration.ofMinutes(8);

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
        "derive command in a child JVM (-Xmx1g), its defaults (exactly_once_v2, commit interval"
            + " 100 ms, 1 stream thread), then the same with derive.threads=2");
    derive(context, input, 1);
    derive(context, input, 2);
  }

  private void derive(BenchContext context, PipelineInput input, int threads) throws Exception {
    Report report = context.report();
    String label = threads == 1 ? "1 thread" : threads + " threads";
    long records = input.records();
    String run = Long.toString(System.currentTimeMillis());
    String applicationId = "pmas-bench-derive-" + run;
    Topics topics = PipelineInput.TOPICS;
    context.deleteTopics(
        Set.of(
            topics.statusTransitions(), topics.lowUniMmr(), topics.latest(), topics.deadLetter()));
    Path config = context.workDir().resolve("derive-" + run + ".properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "bootstrap.servers=" + context.bootstrapServers(),
            "schema.registry.url=" + context.schemaRegistryUrl().orElseThrow(),
            Topics.SNAPSHOTS.name() + "=" + topics.snapshots(),
            Topics.STATUS_TRANSITIONS.name() + "=" + topics.statusTransitions(),
            Topics.LOW_UNIMMR.name() + "=" + topics.lowUniMmr(),
            Topics.LATEST.name() + "=" + topics.latest(),
            Topics.DEAD_LETTER.name() + "=" + topics.deadLetter(),
            "derive.application.id=" + applicationId,
            "ops.http.port=0",
            "derive.threads=" + threads,
            "derive.state.dir="
                + context.workDir().resolve("state").resolve(applicationId).toAbsolutePath(),
            ""));

    Offsets offsets = new Offsets(context.admin());
    Set<TopicPartition> inputPartitions =
        Offsets.partitions(topics.snapshots(), context.partitions());
    long launched = System.nanoTime();
    long firstCommitAt = 0;
    long firstCommitted = 0;
    long doneAt;
    try (ChildJvm derive =
        ChildJvm.start(
            "derive-" + threads + "t",
            List.of("-Xmx1g"),
            Cli.MAIN_CLASS,
            List.of("derive", "--config", config.toString()),
            context.logDir(),
            line -> {})) {
      while (true) {
        long committed = committedOrZero(offsets, applicationId, inputPartitions);
        long now = System.nanoTime();
        if (committed > 0 && firstCommitAt == 0) {
          firstCommitAt = now;
          firstCommitted = committed;
        }
        if (committed >= records) {
          doneAt = now;
          break;
        }
        if (!derive.isAlive()) {
          throw new IllegalStateException(
              "derive exited early; see "
                  + context.logDir().resolve("derive-" + threads + "t.stderr.log"));
        }
        if (now - launched > TIMEOUT.toNanos()) {
          throw new IllegalStateException(
              "derive committed " + committed + " of " + records + " in " + TIMEOUT);
        }
        Thread.sleep(100);
      }
    }
    String incidents = incidents(context.logDir().resolve("derive-" + threads + "t.stderr.log"));
    if (!incidents.isEmpty()) {
      report.setting(ID, "incidents, " + label, incidents);
    }
    double fromLaunch = records / ((doneAt - launched) / 1e9);
    double steady =
        doneAt > firstCommitAt
            ? (records - firstCommitted) / ((doneAt - firstCommitAt) / 1e9)
            : fromLaunch;
    report.figure(ID, "start-up to first commit, " + label, (firstCommitAt - launched) / 1e9, "s");
    report.figure(ID, FROM_LAUNCH + ", " + label, fromLaunch, "records/s");
    report.figure(ID, STEADY + ", " + label, steady, "records/s", null, incidents);
    Optional<Report.Figure> produce = report.find(BaselineSection.ID, BaselineSection.PRODUCE);
    Optional<Report.Figure> consume = report.find(BaselineSection.ID, BaselineSection.CONSUME);
    if (produce.isPresent() && consume.isPresent()) {
      double baseline = Math.min(produce.get().value(), consume.get().value());
      report.figure(
          ID,
          "ratio to baseline min(produce, consume), " + label,
          steady / baseline,
          "×",
          Report.Target.atLeast(0.5),
          "after first commit vs baseline " + Report.Figures.format(baseline) + " records/s");
    }
  }

  /**
   * What went wrong inside derive during the run (a figure measured through a stream-thread crash
   * or a fenced producer is not a throughput figure, and must say so).
   */
  private static String incidents(Path log) throws java.io.IOException {
    if (!Files.exists(log)) {
      return "";
    }
    long died = 0;
    long fenced = 0;
    for (String line : Files.readAllLines(log)) {
      if (line.contains("Stream thread died")) {
        died++;
      }
      if (line.contains("TaskMigratedException") && !line.startsWith("\t")) {
        fenced++;
      }
    }
    List<String> parts = new java.util.ArrayList<>();
    if (died > 0) {
      parts.add(died + " stream thread(s) died and were replaced");
    }
    if (fenced > 0) {
      parts.add("tasks migrated after a fenced producer");
    }
    return parts.isEmpty() ? "" : String.join("; ", parts) + " (see " + log.getFileName() + ")";
  }

  private static long committedOrZero(Offsets offsets, String group, Set<TopicPartition> tps) {
    try {
      return offsets.committed(group, tps);
    } catch (IllegalStateException e) {
      return 0; // the group does not exist yet
    }
  }
}
