package io.pmaccountstream.poller;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.kafka.GrouplessConsumer;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the last snapshot of some accounts back from the snapshot topic: the log is the poller's
 * state (nothing is kept on local disk).
 *
 * <p>Only the partitions that hold those accounts are read (the account's partition is the default
 * partitioner's hash of its key), from the end backwards in growing windows until every account is
 * found or the partition's beginning is reached. Values are decoded only for the one record per
 * account that wins; a value that cannot be decoded is logged and that account starts without
 * history. The producer is idempotent, not transactional: the topic is read as it is.
 */
public final class LastSnapshots implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LastSnapshots.class);
  static final long FIRST_WINDOW = 4096;
  private static final Duration POLL = Duration.ofMillis(200);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final BiFunction<String, byte[], AccountSnapshot> decoder;
  private final AutoCloseable decoderResources;

  /**
   * @param consumer a consumer of its own, without a group (this class assigns and seeks)
   * @param decoder topic and value bytes to a snapshot (the registry-aware deserializer)
   */
  public LastSnapshots(
      Consumer<String, byte[]> consumer,
      String topic,
      BiFunction<String, byte[], AccountSnapshot> decoder) {
    this(consumer, topic, decoder, () -> {});
  }

  private LastSnapshots(
      Consumer<String, byte[]> consumer,
      String topic,
      BiFunction<String, byte[], AccountSnapshot> decoder,
      AutoCloseable decoderResources) {
    this.consumer = consumer;
    this.topic = topic;
    this.decoder = decoder;
    this.decoderResources = decoderResources;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
    try {
      decoderResources.close();
    } catch (Exception e) {
      log.debug("closing the snapshot decoder failed", e);
    }
  }

  /** A reader with a consumer of its own and the registry-aware deserializer of the serdes. */
  public static LastSnapshots open(KafkaConnection kafka, String topic) {
    Map<String, Object> props = GrouplessConsumer.readAsConfigured(kafka.clientProperties());
    props.put("client.id", "pm-account-stream-poller-restore");
    Map<String, Object> serde = new HashMap<>(kafka.serdeProperties());
    serde.put("specific.avro.value.type", AccountSnapshot.class.getName());
    ConfluentAvroDeserializer<AccountSnapshot> values = new ConfluentAvroDeserializer<>();
    values.configure(serde, false);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    return new LastSnapshots(consumer, topic, values::deserialize, values);
  }

  /**
   * The newest snapshot of each of the accounts (accounts never published are absent).
   *
   * @throws org.apache.kafka.common.errors.TimeoutException when the topic cannot be read in time
   */
  public Map<String, AccountSnapshot> read(Collection<String> accounts, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
    if (partitions == null || partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, Set<String>> wanted = new HashMap<>();
    for (String account : accounts) {
      int p = AccountPartitions.partitionFor(account, partitions.size());
      wanted.computeIfAbsent(new TopicPartition(topic, p), tp -> new HashSet<>()).add(account);
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(wanted.keySet(), remaining(deadline));
    Map<TopicPartition, Long> begins =
        consumer.beginningOffsets(wanted.keySet(), remaining(deadline));
    Map<String, byte[]> raw = new HashMap<>();
    for (Map.Entry<TopicPartition, Set<String>> e : wanted.entrySet()) {
      TopicPartition tp = e.getKey();
      readPartition(tp, e.getValue(), begins.get(tp), ends.get(tp), deadline, raw);
    }
    consumer.unsubscribe();
    Map<String, AccountSnapshot> last = new TreeMap<>();
    raw.forEach(
        (account, value) -> {
          try {
            last.put(account, decoder.apply(topic, value));
          } catch (RuntimeException ex) {
            log.warn(
                "the last snapshot of account {} cannot be decoded ({}); it starts without"
                    + " history",
                account,
                ex.getClass().getSimpleName());
          }
        });
    return last;
  }

  /** Newest value of each wanted key in [begin, end), reading backwards window by window. */
  private void readPartition(
      TopicPartition tp,
      Set<String> accounts,
      long begin,
      long end,
      long deadline,
      Map<String, byte[]> raw) {
    Set<String> missing = new HashSet<>(accounts);
    long to = end;
    long window = FIRST_WINDOW;
    consumer.assign(List.of(tp));
    while (!missing.isEmpty() && to > begin) {
      long from = Math.max(begin, to - window);
      Map<String, byte[]> newest = readRange(tp, from, to, missing, deadline);
      newest.forEach(raw::put);
      missing.removeAll(newest.keySet());
      to = from;
      window *= 4;
    }
  }

  private Map<String, byte[]> readRange(
      TopicPartition tp, long from, long to, Set<String> accounts, long deadline) {
    Map<String, byte[]> newest = new HashMap<>();
    consumer.seek(tp, from);
    while (consumer.position(tp) < to) {
      if (System.nanoTime() - deadline > 0) {
        throw new org.apache.kafka.common.errors.TimeoutException(
            "reading the last snapshots of " + tp + " took longer than allowed");
      }
      for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
        if (record.offset() < to && record.key() != null && accounts.contains(record.key())) {
          if (record.value() == null) {
            newest.remove(record.key());
          } else {
            newest.put(record.key(), record.value());
          }
        }
      }
    }
    return newest;
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime()));
  }
}
