package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LastSnapshotsTest {

  private static final String TOPIC = "snapshots";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");

  /** The value is the sequence as text; "bad" cannot be decoded. */
  private final LastSnapshots last =
      new LastSnapshots(
          consumer,
          TOPIC,
          (topic, value) -> {
            String text = new String(value, StandardCharsets.UTF_8);
            if (text.equals("bad")) {
              throw new IllegalArgumentException("not a snapshot");
            }
            return SnapshotPublisherTest.snapshot("x", Long.parseLong(text), "1.5");
          });

  private void topicWith(String... keysAndValues) {
    Node node = new Node(0, "localhost", 9092);
    consumer.updatePartitions(
        TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, new Node[] {node}, new Node[] {node})));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, (long) keysAndValues.length / 2));
    consumer.schedulePollTask(
        () -> {
          for (int i = 0; i < keysAndValues.length; i += 2) {
            consumer.addRecord(
                new ConsumerRecord<>(
                    TOPIC,
                    0,
                    i / 2,
                    keysAndValues[i],
                    keysAndValues[i + 1].getBytes(StandardCharsets.UTF_8)));
          }
        });
  }

  @Test
  void readsTheNewestSnapshotOfEachWantedAccount() {
    topicWith("alice", "1", "bob", "1", "alice", "2", "dave", "9", "bob", "2", "alice", "3");

    Map<String, AccountSnapshot> found =
        last.read(List.of("alice", "bob", "carol"), Duration.ofSeconds(5));

    assertThat(found).containsOnlyKeys("alice", "bob");
    assertThat(found.get("alice").getSequence()).isEqualTo(3L);
    assertThat(found.get("bob").getSequence()).isEqualTo(2L);
  }

  @Test
  void anAccountWhoseLastValueCannotBeDecodedStartsWithoutHistory() {
    topicWith("alice", "1", "alice", "bad", "bob", "4");

    Map<String, AccountSnapshot> found = last.read(List.of("alice", "bob"), Duration.ofSeconds(5));

    assertThat(found).containsOnlyKeys("bob");
  }

  @Test
  void anEmptyTopicHasNoHistory() {
    Node node = new Node(0, "localhost", 9092);
    consumer.updatePartitions(
        TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, new Node[] {node}, new Node[] {node})));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 0L));

    assertThat(last.read(List.of("alice"), Duration.ofSeconds(1))).isEmpty();
  }
}
