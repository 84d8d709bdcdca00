package io.pmaccountstream.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.testing.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionMergeReaderTest {

  private static final String TOPIC = "snapshots";
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  @Test
  void interleavesPartitionsByTimestampButKeepsEachPartitionInOffsetOrder() {
    LogConsumer consumer = new LogConsumer(TOPIC, 2, 100);
    append(consumer, 0, 10, 30, 20, 50); // offset 2 is out of order (a late snapshot)
    append(consumer, 1, 15, 25, 60);

    List<String> read = readAll(consumer, range(0, 1_000), WarmUp.none());

    assertThat(read).containsExactly("0@0", "1@0", "1@1", "0@1", "0@2", "0@3", "1@2");
  }

  @Test
  void breaksTimestampTiesByPartitionNumber() {
    LogConsumer consumer = new LogConsumer(TOPIC, 3, 100);
    append(consumer, 2, 10);
    append(consumer, 0, 10);
    append(consumer, 1, 10);

    assertThat(readAll(consumer, range(0, 1_000), WarmUp.none()))
        .containsExactly("0@0", "1@0", "2@0");
  }

  @Test
  void readsFromTheFirstOffsetAtFromAndStopsBeforeTheFirstOffsetAtTo() {
    LogConsumer consumer = new LogConsumer(TOPIC, 1, 100);
    append(consumer, 0, 10, 20, 30, 40, 50);

    assertThat(readAll(consumer, range(20, 40), WarmUp.none())).containsExactly("0@1", "0@2");
  }

  @Test
  void warmUpRecordsComeFirstAndAreMarkedOutOfRange() {
    LogConsumer consumer = new LogConsumer(TOPIC, 2, 100);
    append(consumer, 0, 10, 20, 30);
    append(consumer, 1, 5, 35);
    ReadPlan plan = ReadPlan.of(consumer, TOPIC, range(20, 100), WarmUp.all(), TIMEOUT);
    PartitionMergeReader reader = reader(consumer, plan);

    List<String> marked = new ArrayList<>();
    ConsumerRecord<byte[], byte[]> r;
    while ((r = reader.next()) != null) {
      marked.add(r.partition() + "@" + r.offset() + (reader.inRange(r) ? " in" : " warm-up"));
    }

    assertThat(marked).containsExactly("1@0 warm-up", "0@0 warm-up", "0@1 in", "0@2 in", "1@1 in");
  }

  @Test
  void neverReadsRecordsAppendedAfterTheReadStarted() {
    LogConsumer consumer = new LogConsumer(TOPIC, 1, 100);
    append(consumer, 0, 10, 20);
    ReadPlan plan = ReadPlan.of(consumer, TOPIC, range(0, 1_000), WarmUp.none(), TIMEOUT);
    append(consumer, 0, 30);

    PartitionMergeReader reader = reader(consumer, plan);

    assertThat(drain(reader)).containsExactly("0@0", "0@1");
  }

  @Test
  void fetchesOnlyPartitionsWhoseBufferRanEmpty() {
    LogConsumer consumer = new LogConsumer(TOPIC, 4, 2);
    for (int p = 0; p < 4; p++) {
      append(consumer, p, 10 + p, 20 + p, 30 + p, 40 + p, 50 + p, 60 + p);
    }
    ReadPlan plan = ReadPlan.of(consumer, TOPIC, range(0, 1_000), WarmUp.none(), TIMEOUT);

    List<String> read = drain(reader(consumer, plan));

    assertThat(read).hasSize(24);
    // The first poll fetches all four partitions; afterwards each poll refills the one partition
    // whose two buffered records were used up, the other three stay paused.
    assertThat(consumer.pollsByPartitionCount.get(0)).isEqualTo(4);
    assertThat(consumer.pollsByPartitionCount.subList(1, consumer.pollsByPartitionCount.size()))
        .containsOnly(1);
  }

  @Test
  void offsetsDoneReachesThePlannedTotal() {
    LogConsumer consumer = new LogConsumer(TOPIC, 2, 3);
    append(consumer, 0, 10, 20, 30, 40);
    append(consumer, 1, 15, 25);
    ReadPlan plan = ReadPlan.of(consumer, TOPIC, range(0, 1_000), WarmUp.none(), TIMEOUT);
    PartitionMergeReader reader = reader(consumer, plan);

    drain(reader);

    assertThat(plan.totalOffsets()).isEqualTo(6);
    assertThat(reader.offsetsDone()).isEqualTo(6);
    assertThat(reader.recordsRead()).isEqualTo(6);
  }

  @Test
  void givesUpWhenAPartitionMakesNoProgressForTheStallTimeout() {
    LogConsumer consumer = new LogConsumer(TOPIC, 1, 100);
    append(consumer, 0, 10);
    // The broker claims two more records that never arrive.
    consumer.updateEndOffsets(Map.of(new TopicPartition(TOPIC, 0), 3L));
    ReadPlan plan = ReadPlan.of(consumer, TOPIC, range(0, 1_000), WarmUp.none(), TIMEOUT);
    PartitionMergeReader reader =
        new PartitionMergeReader(
            consumer,
            plan,
            TestClock.ticking(Instant.EPOCH, Duration.ofSeconds(1)),
            Duration.ofSeconds(30));

    assertThat(reader.next().offset()).isZero();
    assertThatThrownBy(reader::next)
        .isInstanceOf(ReplayException.class)
        .hasMessageContaining("no progress reading snapshots for 30 s")
        .hasMessageContaining("[0 at offset 1]");
  }

  @Test
  void anEmptyRangeReadsNothing() {
    LogConsumer consumer = new LogConsumer(TOPIC, 2, 100);
    append(consumer, 0, 10, 20);

    assertThat(readAll(consumer, range(500, 1_000), WarmUp.none())).isEmpty();
  }

  private static void append(LogConsumer consumer, int partition, long... timestamps) {
    for (long t : timestamps) {
      consumer.append(partition, t, "acct-" + partition, new byte[] {1});
    }
  }

  private static TimeRange range(long fromMillis, long toMillis) {
    return new TimeRange(Instant.ofEpochMilli(fromMillis), Instant.ofEpochMilli(toMillis));
  }

  private static List<String> readAll(LogConsumer consumer, TimeRange range, WarmUp warmUp) {
    ReadPlan plan = ReadPlan.of(consumer, TOPIC, range, warmUp, TIMEOUT);
    return drain(reader(consumer, plan));
  }

  private static PartitionMergeReader reader(LogConsumer consumer, ReadPlan plan) {
    return new PartitionMergeReader(
        consumer, plan, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), Duration.ofSeconds(30));
  }

  private static List<String> drain(PartitionMergeReader reader) {
    List<String> read = new ArrayList<>();
    ConsumerRecord<byte[], byte[]> r;
    while ((r = reader.next()) != null) {
      read.add(r.partition() + "@" + r.offset());
    }
    return read;
  }
}
