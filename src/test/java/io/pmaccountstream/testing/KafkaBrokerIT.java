package io.pmaccountstream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaBrokerIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @Test
  void producedRecordIsConsumedByAConsumerGroup()
      throws ExecutionException, InterruptedException, TimeoutException {
    String topic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("broker-it"), 1);

    produce(kafka, topic, "account-1", "snapshot-1");

    assertThat(consume(kafka, topic, 1))
        .extracting(ConsumerRecord::key, ConsumerRecord::value)
        .containsExactly(tuple("account-1", "snapshot-1"));
  }

  @Test
  void sharedBrokerListensOnLoopbackOnly() {
    // An external cluster may live anywhere; the in-JVM one must not leave the machine.
    assumeFalse(kafka.isExternal(), "external cluster in use");
    assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
  }

  @Nested
  class DedicatedBroker {

    @RegisterExtension static final KafkaBrokerExtension own = KafkaBrokerExtension.dedicated();

    @Test
    void keepsAddressAndDataAcrossStopAndRestart() throws Exception {
      own.assumeRestartable();
      String address = own.bootstrapServers();
      String topic = own.createTopic(KafkaBrokerExtension.uniqueTopic("restart-it"), 1);
      produce(own, topic, "k", "before-outage");

      try (KafkaConsumer<String, String> consumer = newConsumer(own)) {
        consumer.subscribe(List.of(topic));
        assertThat(pollUntil(consumer, 1))
            .extracting(ConsumerRecord::value)
            .containsExactly("before-outage");

        own.stopBroker();
        assertThatThrownBy(() -> connect(address))
            .as("a stopped broker refuses connections")
            .isInstanceOf(IOException.class);
        assertThat(consumer.poll(Duration.ofMillis(500))).as("polling during the outage").isEmpty();

        own.restartBroker();
        assertThat(own.bootstrapServers()).isEqualTo(address);
        produce(own, topic, "k", "after-outage");
        // The consumer that lived through the outage reconnects to the same address.
        assertThat(pollUntil(consumer, 1))
            .extracting(ConsumerRecord::value)
            .containsExactly("after-outage");
      }

      assertThat(consume(own, topic, 2))
          .as("records written before the outage are still there")
          .extracting(ConsumerRecord::value)
          .containsExactly("before-outage", "after-outage");
    }

    @Test
    void isNotTheSharedBroker() {
      assumeFalse(own.isExternal(), "external cluster in use");
      assertThat(own.bootstrapServers()).isNotEqualTo(kafka.bootstrapServers());
    }
  }

  private static void connect(String address) throws IOException {
    String[] hostPort = address.split(":");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 2_000);
    }
  }

  private static void produce(KafkaBrokerExtension broker, String topic, String key, String value)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<String, Object> config = new HashMap<>(broker.clientConfig());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }
  }

  /** Reads the topic from the beginning in a fresh consumer group until {@code count} records. */
  private static List<ConsumerRecord<String, String>> consume(
      KafkaBrokerExtension broker, String topic, int count) {
    try (KafkaConsumer<String, String> consumer = newConsumer(broker)) {
      consumer.subscribe(List.of(topic));
      return pollUntil(consumer, count);
    }
  }

  /** A consumer in a group of its own that starts at the earliest offset. */
  private static KafkaConsumer<String, String> newConsumer(KafkaBrokerExtension broker) {
    Map<String, Object> config = new HashMap<>(broker.clientConfig());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "broker-it-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }

  private static List<ConsumerRecord<String, String>> pollUntil(
      KafkaConsumer<String, String> consumer, int count) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              consumer.poll(Duration.ofMillis(200)).forEach(records::add);
              return records.size() >= count;
            });
    return records;
  }
}
