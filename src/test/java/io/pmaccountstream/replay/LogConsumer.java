package io.pmaccountstream.replay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * A test double of a topic's consumer: a {@link MockConsumer} over an in-memory log per partition,
 * with {@code offsetsForTimes} (which MockConsumer does not implement) answered from that log. Each
 * poll hands out at most {@code maxPollRecords} records per partition that is assigned and not
 * paused, from its position, as a broker would.
 */
class LogConsumer extends MockConsumer<byte[], byte[]> {

  final String topic;
  private final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> log = new HashMap<>();
  private final int pollSize;
  private boolean feeding;
  final List<Integer> pollsByPartitionCount = new ArrayList<>();

  LogConsumer(String topic, int partitions, int pollSize) {
    super("earliest");
    this.topic = topic;
    this.pollSize = pollSize;
    List<PartitionInfo> infos = new ArrayList<>();
    Map<TopicPartition, Long> zero = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      log.put(p, new ArrayList<>());
      infos.add(new PartitionInfo(topic, p, null, null, null));
      zero.put(new TopicPartition(topic, p), 0L);
    }
    updatePartitions(topic, infos);
    updateBeginningOffsets(zero);
    updateEndOffsets(zero);
  }

  /** Appends a record; returns its offset. */
  long append(int partition, long timestamp, String key, byte[] value) {
    List<ConsumerRecord<byte[], byte[]>> records = log.get(partition);
    long offset = records.size();
    records.add(
        new ConsumerRecord<>(
            topic,
            partition,
            offset,
            timestamp,
            TimestampType.CREATE_TIME,
            -1,
            -1,
            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            value,
            new RecordHeaders(),
            Optional.empty()));
    updateEndOffsets(Map.of(new TopicPartition(topic, partition), offset + 1));
    return offset;
  }

  @Override
  public synchronized void assign(Collection<TopicPartition> partitions) {
    super.assign(partitions);
    if (!feeding) {
      feeding = true;
      scheduleFeed();
    }
  }

  private void scheduleFeed() {
    schedulePollTask(
        () -> {
          int fed = 0;
          for (TopicPartition tp : assignment()) {
            if (paused().contains(tp)) {
              continue;
            }
            long position = position(tp);
            List<ConsumerRecord<byte[], byte[]>> records = log.get(tp.partition());
            long until = Math.min(records.size(), position + pollSize);
            for (long o = position; o < until; o++) {
              addRecord(records.get((int) o));
            }
            fed++;
          }
          pollsByPartitionCount.add(fed);
          scheduleFeed();
        });
  }

  @Override
  public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
      Map<TopicPartition, Long> timestamps, Duration timeout) {
    Map<TopicPartition, OffsetAndTimestamp> found = new HashMap<>();
    timestamps.forEach(
        (tp, time) -> {
          for (ConsumerRecord<byte[], byte[]> r : log.get(tp.partition())) {
            if (r.timestamp() >= time) {
              found.put(tp, new OffsetAndTimestamp(r.offset(), r.timestamp()));
              return;
            }
          }
          found.put(tp, null);
        });
    return found;
  }

  @Override
  public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
      Map<TopicPartition, Long> timestamps) {
    return offsetsForTimes(timestamps, Duration.ofSeconds(1));
  }
}
