package io.pmaccountstream.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of every partition of a topic a read covers, found by time.
 *
 * <p>The start of the range is {@code offsetsForTimes(from)} on every partition (the first offset
 * whose record timestamp, the snapshot's {@code observedAt}, is at or after {@code from}). The end
 * is the lower of {@code offsetsForTimes(to)} and the partition's end offset captured when the read
 * starts: a replay of a range that reaches into the present reads what exists at its start and then
 * stops, it never waits for new records. With {@code isolation.level=read_committed} the end offset
 * is the last stable offset, so an open transaction is never waited for.
 *
 * @param topic the topic read
 * @param partitions one range per partition, by partition number
 */
public record ReadPlan(String topic, List<PartitionRange> partitions) {

  public ReadPlan {
    partitions = List.copyOf(partitions);
  }

  /**
   * Plans the read of {@code topic} for {@code range} with the given warm-up, asking the consumer,
   * which it assigns to every partition of the topic (the reader keeps that assignment).
   *
   * @throws ReplayException when the topic does not exist
   */
  public static ReadPlan of(
      Consumer<?, ?> consumer, String topic, TimeRange range, WarmUp warmUp, Duration timeout) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      throw new ReplayException("topic " + topic + " does not exist (or is not visible to us)");
    }
    List<TopicPartition> tps = new ArrayList<>();
    infos.stream()
        .sorted(Comparator.comparingInt(PartitionInfo::partition))
        .forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
    // Offsets are asked for assigned partitions: a read_committed consumer otherwise warns that it
    // cannot keep the last stable offsets it receives.
    consumer.assign(tps);
    Map<TopicPartition, Long> end = consumer.endOffsets(tps, timeout);
    Map<TopicPartition, Long> fromOffsets = offsetsAt(consumer, tps, range.from(), end, timeout);
    Map<TopicPartition, Long> toOffsets = offsetsAt(consumer, tps, range.to(), end, timeout);
    Optional<Instant> warmUpStart = warmUp.startFor(range.from());
    Map<TopicPartition, Long> startOffsets;
    if (warmUpStart.isEmpty()) {
      startOffsets = consumer.beginningOffsets(tps, timeout);
    } else if (warmUpStart.get().equals(range.from())) {
      startOffsets = fromOffsets;
    } else {
      startOffsets = offsetsAt(consumer, tps, warmUpStart.get(), end, timeout);
    }
    List<PartitionRange> ranges = new ArrayList<>(tps.size());
    for (TopicPartition tp : tps) {
      long stop = Math.min(end.get(tp), toOffsets.get(tp));
      long emitFrom = Math.min(fromOffsets.get(tp), stop);
      long start = Math.min(startOffsets.get(tp), emitFrom);
      ranges.add(new PartitionRange(tp.partition(), start, emitFrom, stop));
    }
    return new ReadPlan(topic, ranges);
  }

  /**
   * The first offset with a timestamp at or after {@code time} per partition; the end offset where
   * there is none.
   */
  private static Map<TopicPartition, Long> offsetsAt(
      Consumer<?, ?> consumer,
      List<TopicPartition> tps,
      Instant time,
      Map<TopicPartition, Long> end,
      Duration timeout) {
    Map<TopicPartition, Long> query = new HashMap<>();
    tps.forEach(tp -> query.put(tp, Math.max(0L, time.toEpochMilli())));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (TopicPartition tp : tps) {
      OffsetAndTimestamp hit = found.get(tp);
      offsets.put(tp, hit == null ? end.get(tp) : Math.min(hit.offset(), end.get(tp)));
    }
    return offsets;
  }

  /** Offsets to read over all partitions, warm-up included. */
  public long totalOffsets() {
    return partitions.stream().mapToLong(PartitionRange::size).sum();
  }

  /** Offsets of the requested range over all partitions, warm-up excluded. */
  public long rangeOffsets() {
    return partitions.stream().mapToLong(p -> p.stop() - p.emitFrom()).sum();
  }

  public PartitionRange partition(int partition) {
    return partitions.stream()
        .filter(p -> p.partition() == partition)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no partition " + partition));
  }
}
