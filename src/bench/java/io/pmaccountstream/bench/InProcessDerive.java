package io.pmaccountstream.bench;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.streams.DerivationSerdes;
import io.pmaccountstream.streams.DerivationTopology;
import io.pmaccountstream.streams.DeriveApp;
import io.pmaccountstream.streams.DeriveConfig;
import io.pmaccountstream.streams.TopologyConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The derivation topology in the benchmark's JVM, with the Streams settings {@code derive} ships
 * ({@link DeriveApp#streamsProperties}) plus a section's named overrides, started and awaited.
 */
final class InProcessDerive {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private InProcessDerive() {}

  /** Starts it on {@code topics} and returns once it is RUNNING. */
  static KafkaStreams start(
      BenchContext context,
      HttpSchemaRegistryClient registry,
      Topics topics,
      String applicationId,
      String run,
      Map<String, Object> overrides)
      throws InterruptedException {
    Map<String, String> flags = new HashMap<>();
    flags.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), context.bootstrapServers());
    flags.put(
        KafkaConnection.SCHEMA_REGISTRY_URL.name(), context.schemaRegistryUrl().orElseThrow());
    flags.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    flags.put(Topics.STATUS_TRANSITIONS.name(), topics.statusTransitions());
    flags.put(Topics.LOW_UNIMMR.name(), topics.lowUniMmr());
    flags.put(Topics.LATEST.name(), topics.latest());
    flags.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    flags.put(Topics.DERIVE_DEAD_LETTER.name(), topics.deriveDeadLetter());
    flags.put(DeriveConfig.APPLICATION_ID.name(), applicationId);
    flags.put(
        DeriveConfig.STATE_DIR.name(),
        context.workDir().resolve("state").resolve(run).toAbsolutePath().toString());
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));
    Properties props = DeriveApp.streamsProperties(DeriveApp.Settings.from(reader));
    props.putAll(overrides);
    KafkaStreams streams =
        new KafkaStreams(
            DerivationTopology.build(
                new TopologyConfig(topics, DerivationConfig.defaults()),
                DerivationSerdes.create(registry)),
            props);
    streams.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()) {
        streams.close(Duration.ofSeconds(10));
        throw new IllegalStateException("Kafka Streams is " + streams.state() + ", not RUNNING");
      }
      Thread.sleep(50);
    }
    return streams;
  }
}
