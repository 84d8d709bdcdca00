package io.pmaccountstream.bench;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.ConfluentAvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The snapshot topic that sections 2 (derive) and 3 (replay) read: {@code pipelineRecords}
 * realistic snapshots of {@code accounts} accounts, written once per run with our serializer
 * through the real registry. Preloading is preparation, not a measured figure (its rate is recorded
 * as a setting).
 */
final class PipelineInput {

  static final Topics TOPICS = Topics.defaults().withPrefix("pmas-bench.pipeline.");
  private static final Duration STEP = Duration.ofSeconds(1);

  private final long records;
  private final Instant firstObservedAt;
  private final Instant lastObservedAt;

  private PipelineInput(long records, Instant firstObservedAt, Instant lastObservedAt) {
    this.records = records;
    this.firstObservedAt = firstObservedAt;
    this.lastObservedAt = lastObservedAt;
  }

  /** The preloaded input of this run, preloading it on first use. */
  static synchronized PipelineInput of(BenchContext context) throws InterruptedException {
    PipelineInput existing = context.attribute(PipelineInput.class);
    if (existing != null) {
      return existing;
    }
    Scale scale = context.scale();
    long began = System.nanoTime();
    PipelineInput input = preload(context, TOPICS, scale.pipelineRecords(), scale.accounts());
    double seconds = (System.nanoTime() - began) / 1e9;
    context.attribute(PipelineInput.class, input);
    Report report = context.report();
    report.setting("2", "preloadedSnapshots", input.records());
    report.setting("2", "preloadAccounts", scale.accounts());
    report.setting("2", "preloadRecordsPerSecond", Math.round(input.records() / seconds));
    return input;
  }

  /**
   * Writes {@code count} snapshots of {@code accounts} accounts to a new {@code topics.snapshots()}
   * (its output topics deleted), one observation per account per second.
   */
  static PipelineInput preload(BenchContext context, Topics topics, long count, int accounts)
      throws InterruptedException {
    Instant start = RealisticSnapshots.startEndingNow(accounts, count, STEP);
    context.deleteTopics(
        Set.of(
            topics.statusTransitions(), topics.lowUniMmr(), topics.latest(), topics.deadLetter()));
    context.recreateTopics(Set.of(topics.snapshots()));
    long sent;
    try (ConfluentAvroSerializer<AccountSnapshot> serializer = new ConfluentAvroSerializer<>()) {
      serializer.configure(
          Map.of("schema.registry.url", context.schemaRegistryUrl().orElseThrow()), false);
      sent =
          Preloader.preload(
              context.bootstrapServers(),
              topics.snapshots(),
              new RealisticSnapshots(accounts, count, 3, start, STEP),
              serializer);
    }
    Instant last = start.plus(STEP.multipliedBy(count / accounts)).plusSeconds(1);
    return new PipelineInput(sent, start, last);
  }

  long records() {
    return records;
  }

  Instant firstObservedAt() {
    return firstObservedAt;
  }

  Instant lastObservedAt() {
    return lastObservedAt;
  }
}
