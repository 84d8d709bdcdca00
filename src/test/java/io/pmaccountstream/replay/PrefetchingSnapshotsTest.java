package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.Records.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.testing.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PrefetchingSnapshotsTest {

  private static final String TOPIC = "snapshots";

  private final LogConsumer consumer = new LogConsumer(TOPIC, 1, 300);
  private final FakeDecoder decoder = new FakeDecoder();

  private SnapshotStream stream(Clock clock) {
    ReadPlan plan =
        ReadPlan.of(
            consumer,
            TOPIC,
            new TimeRange(Instant.EPOCH, Records.at(100_000)),
            WarmUp.none(),
            Duration.ofSeconds(1));
    return new SnapshotStream(
        new PartitionMergeReader(consumer, plan, clock, Duration.ofSeconds(30)),
        decoder,
        AccountFilter.all(),
        new BadRecords(),
        ProgressReporter.silent());
  }

  private void publish(int count) {
    for (int i = 0; i < count; i++) {
      consumer.append(
          0,
          Records.at(i).toEpochMilli(),
          "a",
          decoder.encode(snapshot("a", i, "1.5", AccountStatus.NORMAL)));
    }
  }

  @Test
  void handsOverEverySnapshotInOrderAcrossBatches() {
    int count = PrefetchingSnapshots.BATCH_SIZE * 2 + 17;
    publish(count);
    List<Long> offsets = new ArrayList<>();

    try (PrefetchingSnapshots snapshots =
        new PrefetchingSnapshots(stream(Clock.systemUTC()), "t")) {
      ReadSnapshot read;
      while ((read = snapshots.next()) != null) {
        offsets.add(read.offset());
      }
      assertThat(snapshots.next()).isNull();
      assertThat(snapshots.recordsRead()).isEqualTo(count);
    }

    assertThat(offsets).hasSize(count).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void rethrowsWhatStoppedTheReaderOnTheCallersThread() {
    publish(3);
    consumer.updateEndOffsets(Map.of(new TopicPartition(TOPIC, 0), 10L));

    try (PrefetchingSnapshots snapshots =
        new PrefetchingSnapshots(
            stream(TestClock.ticking(Instant.EPOCH, Duration.ofSeconds(1))), "t")) {
      assertThatThrownBy(
              () -> {
                while (snapshots.next() != null) {
                  // drain
                }
              })
          .isInstanceOf(ReplayException.class)
          .hasMessageContaining("no progress reading snapshots");
    }
  }

  @Test
  void closeStopsTheReaderWhileItWaitsForRoomInTheQueue() {
    publish(PrefetchingSnapshots.BATCH_SIZE * (PrefetchingSnapshots.QUEUED_BATCHES + 4));
    PrefetchingSnapshots snapshots = new PrefetchingSnapshots(stream(Clock.systemUTC()), "t");

    assertThat(snapshots.next()).isNotNull();
    snapshots.close(); // returns only once the reader thread has ended
  }
}
