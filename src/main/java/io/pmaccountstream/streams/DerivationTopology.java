package io.pmaccountstream.streams;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.Deriver;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The derivation topology: snapshots in, status transitions, uniMMR level events and the latest
 * accepted snapshot out, with the per-account state in a persistent store. Every node, the store
 * and so the changelog topic are named here; {@code DerivationTopologyDescribeTest} pins them, so
 * renaming one (which would orphan the changelog of a running deployment) fails the build.
 *
 * <pre>
 *   snapshots-source ──▶ derive-account-events ──▶ status-transitions-sink
 *    (pm.account.snapshots)   │ account-derivation-state ├─▶ low-unimmr-sink
 *                             │   (store + changelog)    └─▶ latest-sink
 * </pre>
 *
 * <p>No repartition topic: the input is keyed by accountId and the outputs keep that key. Records
 * that cannot be decoded or derived go to the derive dead-letter topic through the Streams error
 * handlers ({@link UndecodableSnapshotHandler}, {@link DeadLetterProcessingHandler}), not through a
 * node of this topology.
 */
public final class DerivationTopology {

  public static final String SOURCE = "snapshots-source";
  public static final String PROCESSOR = "derive-account-events";
  public static final String STORE = "account-derivation-state";
  public static final String TRANSITIONS_SINK = "status-transitions-sink";
  public static final String LOW_UNIMMR_SINK = "low-unimmr-sink";
  public static final String LATEST_SINK = "latest-sink";

  private DerivationTopology() {}

  /** The changelog topic Kafka Streams creates for the store of an application. */
  public static String changelogTopic(String applicationId) {
    return applicationId + "-" + STORE + "-changelog";
  }

  /** The topology that emits the events of every snapshot ({@link EmitFrom#all()}). */
  public static Topology build(TopologyConfig config, DerivationSerdes serdes) {
    return build(config, serdes, EmitFrom.all());
  }

  /**
   * Builds the topology; pure (no I/O), so tests drive it with {@code TopologyTestDriver}. A new
   * application starts from the earliest retained snapshot, so every account's state is that of its
   * whole history; only snapshots {@code emitFrom} admits emit events (the application resolves it
   * before building, {@link FirstStart}).
   */
  public static Topology build(TopologyConfig config, DerivationSerdes serdes, EmitFrom emitFrom) {
    DerivationTopics topics = DerivationTopics.of(config.topics(), serdes);
    AccountFold fold = new AccountFold(new Deriver(config.derivation()));
    StoreBuilder<KeyValueStore<String, AccountDerivationState>> store =
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), serdes.key(), serdes.state())
            // Writes reach RocksDB and the changelog once per commit per account, not once per
            // snapshot; exactly-once flushes the cache before each commit.
            .withCachingEnabled();

    Topology topology = new Topology();
    topology.addSource(
        AutoOffsetReset.earliest(),
        SOURCE,
        new ObservedAtTimestampExtractor(),
        topics.snapshots().keySerde().deserializer(),
        topics.snapshots().valueSerde().deserializer(),
        topics.snapshots().name());
    topology.addProcessor(PROCESSOR, () -> new DeriveProcessor(fold, STORE, emitFrom), SOURCE);
    topology.addStateStore(store, PROCESSOR);
    addSink(topology, TRANSITIONS_SINK, topics.statusTransitions());
    addSink(topology, LOW_UNIMMR_SINK, topics.lowUniMmr());
    addSink(topology, LATEST_SINK, topics.latest());
    return topology;
  }

  private static <K, V> void addSink(Topology topology, String name, TopicSerdes<K, V> topic) {
    topology.addSink(
        name,
        topic.name(),
        topic.keySerde().serializer(),
        topic.valueSerde().serializer(),
        PROCESSOR);
  }
}
