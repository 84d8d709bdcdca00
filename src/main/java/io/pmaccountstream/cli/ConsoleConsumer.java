package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.kafka.GrouplessConsumer;
import io.pmaccountstream.kafka.KafkaConnection;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Prints a topic as JSON lines ({@link RecordJsonFormatter}), our kafka-avro-console-consumer. It
 * assigns every partition itself instead of joining a consumer group, so it commits nothing and
 * leaves no group behind; it reads only committed transactional records ({@code
 * isolation.level=read_committed}).
 */
public final class ConsoleConsumer {

  public static final ConfigField<Duration> IDLE_TIMEOUT =
      ConfigField.duration(
              "consume.timeout",
              "consume: stop after this long without a new record (default: wait for records"
                  + " until --max is reached or the process is stopped)")
          .validate(d -> !d.isNegative() && !d.isZero(), "positive");

  private static final Duration POLL = Duration.ofMillis(200);

  /** The configuration keys of {@code consume} beyond {@link KafkaConnection#fields()}. */
  public static List<ConfigField<?>> fields() {
    return List.of(IDLE_TIMEOUT);
  }

  private final Consumer<byte[], byte[]> consumer;
  private final RecordJsonFormatter formatter;
  private final PrintWriter out;
  private final LongSupplier nanoTime;

  /**
   * @param nanoTime the clock of the idle timeout ({@code System::nanoTime} outside tests)
   */
  public ConsoleConsumer(
      Consumer<byte[], byte[]> consumer,
      RecordJsonFormatter formatter,
      PrintWriter out,
      LongSupplier nanoTime) {
    this.consumer = consumer;
    this.formatter = formatter;
    this.out = out;
    this.nanoTime = nanoTime;
  }

  /** Consumer properties: byte-array deserializers, no group, read_committed. */
  public static Map<String, Object> consumerProperties(KafkaConnection connection) {
    Map<String, Object> props = GrouplessConsumer.readCommitted(connection.clientProperties());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "pm-account-stream-consume");
    return props;
  }

  /**
   * Prints records of every partition of {@code topic} until {@code max} records were printed, or
   * nothing arrived for {@code idleTimeout}, or {@link #wakeup()} is called.
   *
   * @return the number of records printed
   * @throws IllegalArgumentException when the topic does not exist
   */
  public long run(
      String topic, boolean fromBeginning, OptionalLong max, Optional<Duration> idleTimeout) {
    List<PartitionInfo> partitions = consumer.partitionsFor(topic);
    if (partitions == null || partitions.isEmpty()) {
      throw new IllegalArgumentException("topic " + topic + " does not exist");
    }
    List<TopicPartition> assigned =
        partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(assigned);
    if (fromBeginning) {
      consumer.seekToBeginning(assigned);
    } else {
      consumer.seekToEnd(assigned);
    }
    assigned.forEach(consumer::position);

    long printed = 0;
    long lastRecordAt = nanoTime.getAsLong();
    while (max.isEmpty() || printed < max.getAsLong()) {
      ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
      for (ConsumerRecord<byte[], byte[]> record : records) {
        out.println(formatter.format(record));
        printed++;
        if (max.isPresent() && printed >= max.getAsLong()) {
          break;
        }
      }
      out.flush();
      if (!records.isEmpty()) {
        lastRecordAt = nanoTime.getAsLong();
      } else if (idleTimeout.isPresent()
          && nanoTime.getAsLong() - lastRecordAt >= idleTimeout.get().toNanos()) {
        break;
      }
    }
    out.flush();
    return printed;
  }

  /** Makes a blocked {@link #run} return (from another thread, e.g. a shutdown hook). */
  public void wakeup() {
    consumer.wakeup();
  }
}
