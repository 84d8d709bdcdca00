package io.pmaccountstream.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.clients.consumer.ConsumerRecord;

class PartitionMergeProperties {

  private static final String TOPIC = "snapshots";

  @Property(tries = 200)
  void eachPartitionStaysInOffsetOrderAndNothingIsLostOrRepeated(
      @ForAll @Size(min = 1, max = 5) List<@Size(max = 40) List<@IntRange(max = 100) Integer>> logs,
      @ForAll @IntRange(min = 1, max = 7) int pollSize) {
    List<ConsumerRecord<byte[], byte[]>> read = mergeAll(logs, pollSize);

    int total = logs.stream().mapToInt(List::size).sum();
    assertThat(read).hasSize(total);
    for (int p = 0; p < logs.size(); p++) {
      int partition = p;
      List<Long> offsets =
          read.stream().filter(r -> r.partition() == partition).map(r -> r.offset()).toList();
      assertThat(offsets).isSorted().hasSize(logs.get(p).size()).doesNotHaveDuplicates();
    }
  }

  @Property(tries = 200)
  void partitionsInTimestampOrderMergeIntoOneTimestampOrder(
      @ForAll @Size(min = 1, max = 5) List<@Size(max = 40) List<@IntRange(max = 100) Integer>> logs,
      @ForAll @IntRange(min = 1, max = 7) int pollSize) {
    List<List<Integer>> sorted = new ArrayList<>();
    logs.forEach(log -> sorted.add(log.stream().sorted().toList()));

    List<ConsumerRecord<byte[], byte[]>> read = mergeAll(sorted, pollSize);

    assertThat(read)
        .isSortedAccordingTo(
            Comparator.<ConsumerRecord<byte[], byte[]>>comparingLong(ConsumerRecord::timestamp)
                .thenComparingInt(ConsumerRecord::partition));
  }

  private static List<ConsumerRecord<byte[], byte[]>> mergeAll(
      List<List<Integer>> logs, int pollSize) {
    LogConsumer consumer = new LogConsumer(TOPIC, logs.size(), pollSize);
    for (int p = 0; p < logs.size(); p++) {
      for (int timestamp : logs.get(p)) {
        consumer.append(p, timestamp, "a", new byte[] {1});
      }
    }
    ReadPlan plan =
        ReadPlan.of(
            consumer,
            TOPIC,
            new TimeRange(Instant.EPOCH, Instant.ofEpochMilli(1_000)),
            WarmUp.none(),
            Duration.ofSeconds(1));
    PartitionMergeReader reader =
        new PartitionMergeReader(consumer, plan, Clock.systemUTC(), Duration.ofSeconds(5));
    List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
    ConsumerRecord<byte[], byte[]> record;
    while ((record = reader.next()) != null) {
      read.add(record);
    }
    return read;
  }
}
