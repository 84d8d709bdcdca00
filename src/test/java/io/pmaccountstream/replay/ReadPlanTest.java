package io.pmaccountstream.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReadPlanTest {

  private static final String TOPIC = "snapshots";
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private static LogConsumer topicWithTimestamps(long... timestamps) {
    LogConsumer consumer = new LogConsumer(TOPIC, 2, 100);
    for (long t : timestamps) {
      consumer.append(0, t, "a", new byte[] {1});
    }
    return consumer;
  }

  @Test
  void rangeStartsAtFromAndStopsAtTo() {
    LogConsumer consumer = topicWithTimestamps(10, 20, 30, 40, 50);

    ReadPlan plan = ReadPlan.of(consumer, TOPIC, range(20, 45), WarmUp.none(), TIMEOUT);

    assertThat(plan.partition(0)).isEqualTo(new PartitionRange(0, 1, 1, 4));
    assertThat(plan.partition(1)).isEqualTo(new PartitionRange(1, 0, 0, 0));
    assertThat(plan.rangeOffsets()).isEqualTo(3);
  }

  @Test
  void warmUpAllStartsAtTheBeginningOfEveryPartition() {
    LogConsumer consumer = topicWithTimestamps(10, 20, 30, 40, 50);

    ReadPlan plan = ReadPlan.of(consumer, TOPIC, range(30, 100), WarmUp.all(), TIMEOUT);

    assertThat(plan.partition(0)).isEqualTo(new PartitionRange(0, 0, 2, 5));
    assertThat(plan.totalOffsets()).isEqualTo(5);
  }

  @Test
  void warmUpDurationStartsThatLongBeforeFrom() {
    LogConsumer consumer = topicWithTimestamps(10, 20, 30, 40, 50);

    ReadPlan plan =
        ReadPlan.of(
            consumer, TOPIC, range(40, 100), WarmUp.lookBack(Duration.ofMillis(15)), TIMEOUT);

    assertThat(plan.partition(0)).isEqualTo(new PartitionRange(0, 2, 3, 5));
  }

  @Test
  void aRangeAfterTheLastRecordIsEmptyAtTheEndOffset() {
    LogConsumer consumer = topicWithTimestamps(10, 20);

    ReadPlan plan = ReadPlan.of(consumer, TOPIC, range(100, 200), WarmUp.all(), TIMEOUT);

    assertThat(plan.partition(0)).isEqualTo(new PartitionRange(0, 0, 2, 2));
    assertThat(plan.rangeOffsets()).isZero();
  }

  @Test
  void aMissingTopicIsAnError() {
    LogConsumer consumer = topicWithTimestamps(10);

    assertThatThrownBy(() -> ReadPlan.of(consumer, "nope", range(0, 100), WarmUp.none(), TIMEOUT))
        .isInstanceOf(ReplayException.class)
        .hasMessageContaining("topic nope does not exist");
  }

  private static TimeRange range(long from, long to) {
    return new TimeRange(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to));
  }
}
