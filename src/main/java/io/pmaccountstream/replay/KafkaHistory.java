package io.pmaccountstream.replay;

import io.pmaccountstream.kafka.GrouplessConsumer;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The snapshot history of one time range on a real cluster: a dedicated consumer (manual
 * assignment, no group, never commits, {@code read_committed}), its read plan, the merged reader
 * and a registry-backed decoder. Closing it closes the consumer and the registry client.
 */
final class KafkaHistory implements AutoCloseable {

  /** How long metadata and offset lookups may take. */
  static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(30);

  /** How long reading may make no progress before the broker is declared gone. */
  static final Duration STALL_TIMEOUT = Duration.ofMinutes(2);

  private final SchemaRegistryClient registry;
  private final PartitionMergeReader reader;
  private final SnapshotDecoder decoder;

  private KafkaHistory(
      SchemaRegistryClient registry, PartitionMergeReader reader, SnapshotDecoder decoder) {
    this.registry = registry;
    this.reader = reader;
    this.decoder = decoder;
  }

  static KafkaHistory open(
      KafkaConnection connection, String topic, TimeRange range, WarmUp warmUp, Clock clock) {
    Consumer<byte[], byte[]> consumer = consumer(connection);
    try {
      ReadPlan plan = ReadPlan.of(consumer, topic, range, warmUp, LOOKUP_TIMEOUT);
      PartitionMergeReader reader = new PartitionMergeReader(consumer, plan, clock, STALL_TIMEOUT);
      SchemaRegistryClient registry = HttpSchemaRegistryClient.from(connection);
      return new KafkaHistory(registry, reader, new RegistrySnapshotDecoder(registry));
    } catch (KafkaException e) {
      consumer.close();
      throw new ReplayException(
          "cannot plan the read of "
              + topic
              + " on "
              + connection.bootstrapServers()
              + ": "
              + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
  }

  /**
   * A consumer that reads without a group: {@code group.id} unset, so nothing is ever committed and
   * no group coordinator is involved, and {@code read_committed}, so aborted transactions are
   * skipped as the live topology (exactly_once_v2) skips them.
   */
  static Consumer<byte[], byte[]> consumer(KafkaConnection connection) {
    Map<String, Object> props = GrouplessConsumer.readCommitted(connection.clientProperties());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 50 * 1024 * 1024);
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "pm-account-stream-replay");
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  ReadPlan plan() {
    return reader.plan();
  }

  PartitionMergeReader reader() {
    return reader;
  }

  SnapshotDecoder decoder() {
    return decoder;
  }

  SchemaRegistryClient registry() {
    return registry;
  }

  @Override
  public void close() {
    try {
      reader.close();
    } finally {
      registry.close();
    }
  }
}
