package io.pmaccountstream.bench;

import io.pmaccountstream.kafka.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Section 2p: the closer anchor of derive. {@link PassThroughChild} (decode each snapshot, forward
 * it to one topic, exactly-once, the derive app's Kafka Streams settings) in a child JVM on the
 * preloaded snapshots, measured like derive ({@link StreamsRun}). Section 2 divides by it.
 */
final class PassThroughSection implements Section {

  static final String ID = "2p";
  static final String STEADY = "pass-through after first commit, 1 thread";
  static final String OUTPUT = "pmas-bench.pipeline.pass-through";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "Streams pass-through (decode + forward)";
  }

  @Override
  public Optional<String> unavailable(BenchContext context) {
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
        "app",
        "Kafka Streams source -> sink, ConfluentAvroSerde<AccountSnapshot> both ways, in a child"
            + " JVM (-Xmx1g) with derive's Streams settings (DeriveApp.streamsProperties: exactly_once_v2,"
            + " commit interval, 1 thread, tuning)");
    StreamsRun measured = passThrough(context, input.records());
    report.figure(ID, "start-up to first commit, 1 thread", measured.startupSeconds(), "s");
    report.figure(ID, "pass-through from launch, 1 thread", measured.fromLaunch(), "records/s");
    report.figure(ID, STEADY, measured.steady(), "records/s", null, measured.incidents());
    Optional<Report.Figure> produce = report.find(BaselineSection.ID, BaselineSection.PRODUCE);
    Optional<Report.Figure> consume = report.find(BaselineSection.ID, BaselineSection.CONSUME);
    if (produce.isPresent() && consume.isPresent()) {
      double baseline = Math.min(produce.get().value(), consume.get().value());
      report.figure(
          ID,
          "ratio to baseline min(produce, consume)",
          measured.steady() / baseline,
          "×",
          null,
          "what Kafka Streams itself costs over the bare clients on this machine");
    }
  }

  /** One run of the pass-through app from scratch (new application id, fresh output topic). */
  static StreamsRun passThrough(BenchContext context, long records) throws Exception {
    context.recreateTopics(Set.of(OUTPUT));
    String run = Long.toString(System.currentTimeMillis());
    String applicationId = "pmas-bench-pass-through-" + run;
    Path config =
        context.writeConfig(
            "pass-through-" + run + ".properties",
            List.of(
                Topics.SNAPSHOTS.name() + "=" + PipelineInput.TOPICS.snapshots(),
                "derive.application.id=" + applicationId,
                "derive.state.dir="
                    + context.workDir().resolve("state").resolve(applicationId).toAbsolutePath()));
    return StreamsRun.measure(
        context,
        "pass-through",
        PassThroughChild.class.getName(),
        List.of(config.toString(), OUTPUT),
        applicationId,
        PipelineInput.TOPICS.snapshots(),
        records);
  }
}
