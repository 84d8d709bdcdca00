package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConsoleConsumerTest {

  private static final String TOPIC = "pm.account.dlq";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final StringWriter printed = new StringWriter();
  private final AtomicLong nanos = new AtomicLong();
  private final ConsoleConsumer console =
      new ConsoleConsumer(
          consumer,
          new RecordJsonFormatter(new InMemorySchemaRegistry()),
          new PrintWriter(printed),
          () -> nanos.addAndGet(Duration.ofMillis(100).toNanos()));

  @BeforeEach
  void topicWithTwoPartitions() {
    Node node = new Node(0, "127.0.0.1", 9092);
    consumer.updatePartitions(
        TOPIC,
        List.of(
            new PartitionInfo(TOPIC, 0, node, new Node[0], new Node[0]),
            new PartitionInfo(TOPIC, 1, node, new Node[0], new Node[0])));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.updateEndOffsets(Map.of(P0, 2L, P1, 1L));
  }

  @Test
  void printsEveryPartitionFromTheBeginningUntilIdle() {
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(record(0, 0, "a"));
          consumer.addRecord(record(0, 1, "b"));
          consumer.addRecord(record(1, 0, "c"));
        });

    long count = console.run(TOPIC, true, OptionalLong.empty(), Optional.of(Duration.ofSeconds(1)));

    assertThat(count).isEqualTo(3);
    assertThat(lines())
        .containsExactly(
            "{\"partition\":0,\"offset\":0,\"timestamp\":null,\"key\":null,\"value\":\"a\"}",
            "{\"partition\":0,\"offset\":1,\"timestamp\":null,\"key\":null,\"value\":\"b\"}",
            "{\"partition\":1,\"offset\":0,\"timestamp\":null,\"key\":null,\"value\":\"c\"}");
    assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);
  }

  @Test
  void stopsAfterMaxRecordsEvenInTheMiddleOfABatch() {
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(record(0, 0, "a"));
          consumer.addRecord(record(0, 1, "b"));
        });

    long count = console.run(TOPIC, true, OptionalLong.of(1), Optional.empty());

    assertThat(count).isEqualTo(1);
    assertThat(lines()).hasSize(1);
  }

  @Test
  void withoutFromBeginningPrintsOnlyRecordsAfterTheEnd() {
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(record(0, 0, "old"));
          consumer.addRecord(record(0, 1, "old"));
          consumer.addRecord(record(0, 2, "new"));
        });

    console.run(TOPIC, false, OptionalLong.empty(), Optional.of(Duration.ofSeconds(1)));

    assertThat(lines())
        .containsExactly(
            "{\"partition\":0,\"offset\":2,\"timestamp\":null,\"key\":null,\"value\":\"new\"}");
  }

  @Test
  void aMissingTopicIsAnError() {
    assertThatThrownBy(
            () ->
                console.run("nope", true, OptionalLong.empty(), Optional.of(Duration.ofSeconds(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topic nope does not exist");
  }

  @Test
  void readsOnlyCommittedRecordsWithoutAGroup() {
    KafkaConnection connection =
        new KafkaConnection(
            "127.0.0.1:9092",
            java.net.URI.create("http://127.0.0.1:8081"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Duration.ofSeconds(5),
            Map.of("group.id", "someone-elses", "security.protocol", "SSL"));

    Map<String, Object> props = ConsoleConsumer.consumerProperties(connection);

    assertThat(props)
        .containsEntry("isolation.level", "read_committed")
        .containsEntry("enable.auto.commit", "false")
        .containsEntry("security.protocol", "SSL")
        .doesNotContainKey("group.id");
  }

  private List<String> lines() {
    return printed.toString().lines().toList();
  }

  private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, String value) {
    return new ConsumerRecord<>(
        TOPIC, partition, offset, null, value.getBytes(StandardCharsets.UTF_8));
  }
}
