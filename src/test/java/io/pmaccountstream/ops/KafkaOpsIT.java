package io.pmaccountstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.ops.HealthCheck.Result;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Kafka side of the ops package against a real in-JVM broker. */
class KafkaOpsIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static KafkaClusterTestKit cluster;

  @BeforeAll
  static void startBroker() throws Exception {
    cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void upWithTheClusterIdAndBrokerCount() {
    try (KafkaReachableCheck check =
        KafkaReachableCheck.create(
            Map.of("bootstrap.servers", cluster.bootstrapServers()), TIMEOUT)) {

      Result result = check.check();

      assertThat(result.isUp()).as(result.reason()).isTrue();
      assertThat(result.reason()).matches("cluster \\S+, 1 broker\\(s\\)");
      assertThat(check.name()).isEqualTo(KafkaReachableCheck.NAME);
    }
  }

  @Test
  void downWithinTheTimeoutWhenNothingListens() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (KafkaReachableCheck check =
        KafkaReachableCheck.create(
            Map.of("bootstrap.servers", "127.0.0.1:" + closedPort), TIMEOUT)) {
      long start = System.nanoTime();

      Result result = check.check();

      assertThat(result.isUp()).isFalse();
      assertThat(result.reason()).contains("describeCluster");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(3));
    }
  }

  @Test
  void downNotThrowingWhenTheBootstrapHostDoesNotResolve() {
    try (KafkaReachableCheck check =
        KafkaReachableCheck.create(
            Map.of("bootstrap.servers", "no-such-host.invalid:9092"), TIMEOUT)) {

      Result result = check.check();

      assertThat(result.isUp()).isFalse();
      assertThat(result.reason()).startsWith("cannot create a Kafka admin client");
    }
  }

  @Test
  void producerMetricsAppearInTheScrapeAndGoAwayWhenUnbound() throws Exception {
    try (Metrics metrics = Metrics.prometheus("pm-account-stream", "it");
        KafkaProducer<String, String> producer =
            new KafkaProducer<>(
                Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.bootstrapServers(),
                    ProducerConfig.CLIENT_ID_CONFIG,
                    "ops-it"),
                new StringSerializer(),
                new StringSerializer())) {
      var binding = metrics.bindProducer(producer);
      producer.send(new ProducerRecord<>("ops-it", "k", "v")).get();

      assertThat(metrics.registry().scrape())
          .containsPattern("kafka_producer_record_send_total\\{.*client_id=\"ops-it\".*\\} 1");

      binding.close();
      assertThat(metrics.registry().scrape()).doesNotContain("kafka_producer_record_send_total");
    }
  }
}
