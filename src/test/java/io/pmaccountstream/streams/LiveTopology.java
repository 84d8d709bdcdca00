package io.pmaccountstream.streams;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.SchemaRegistryClient;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The live derivation topology under {@link TopologyTestDriver}, with the app's real serdes and
 * error handlers (dead-letter topic included): what the Streams processor emits, for tests that
 * compare another path (replay, the plain fold) with it.
 */
public final class LiveTopology implements AutoCloseable {

  private final Topics topics;
  private final TopologyTestDriver driver;
  private final DerivationTopics serdes;
  private final TestInputTopic<String, AccountSnapshot> snapshots;
  private final TestInputTopic<String, byte[]> raw;
  private final TestOutputTopic<String, AccountStatusTransition> transitions;
  private final TestOutputTopic<String, UniMmrLevelEvent> levels;
  private final TestOutputTopic<String, AccountSnapshot> latest;
  private final TestOutputTopic<byte[], byte[]> deadLetters;

  /** The default topics and an in-memory registry. */
  public LiveTopology(TopologyConfig config, Path stateDir) {
    this(config, stateDir, new InMemorySchemaRegistry());
  }

  public LiveTopology(TopologyConfig config, Path stateDir, SchemaRegistryClient registry) {
    this.topics = config.topics();
    DerivationSerdes derivationSerdes = DerivationSerdes.create(registry);
    this.serdes = DerivationTopics.of(topics, derivationSerdes);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "live-topology-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.putAll(DeriveApp.deadLetterProperties(topics));
    driver = new TopologyTestDriver(DerivationTopology.build(config, derivationSerdes), props);
    snapshots =
        driver.createInputTopic(
            topics.snapshots(),
            serdes.snapshots().keySerde().serializer(),
            serdes.snapshots().valueSerde().serializer());
    raw =
        driver.createInputTopic(
            topics.snapshots(), new StringSerializer(), new ByteArraySerializer());
    transitions = output(serdes.statusTransitions());
    levels = output(serdes.lowUniMmr());
    latest = output(serdes.latest());
    deadLetters =
        driver.createOutputTopic(
            topics.deriveDeadLetter(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private <V> TestOutputTopic<String, V> output(TopicSerdes<String, V> topic) {
    return driver.createOutputTopic(
        topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
  }

  /** Pipes a snapshot under {@code key} at its observedAt. */
  public void pipe(String key, AccountSnapshot snapshot) {
    snapshots.pipeInput(key, snapshot, snapshot.getObservedAt());
  }

  /** Pipes raw value bytes under {@code key}. */
  public void pipeRaw(String key, byte[] value) {
    raw.pipeInput(key, value);
  }

  /** The snapshot serde's bytes of {@code snapshot}, as the poller writes them. */
  public byte[] bytesOf(AccountSnapshot snapshot) {
    return serdes.snapshots().valueSerde().serializer().serialize(topics.snapshots(), snapshot);
  }

  /** The status transitions emitted since the last call. */
  public List<AccountStatusTransition> transitions() {
    return transitions.readValuesToList();
  }

  public List<UniMmrLevelEvent> levelEvents() {
    return levels.readValuesToList();
  }

  public List<AccountSnapshot> latest() {
    return latest.readValuesToList();
  }

  public List<TestRecord<byte[], byte[]>> deadLetters() {
    return deadLetters.readRecordsToList();
  }

  public TopologyTestDriver driver() {
    return driver;
  }

  @Override
  public void close() {
    driver.close();
  }
}
