package io.pmaccountstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.publish.ConfluentAvroDeserializer;
import io.pmaccountstream.publish.HttpSchemaRegistryClient;
import io.pmaccountstream.publish.Topics;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.SimulatedAccount;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on the real broker and registry: the simulator's account moves through known
 * values, the poller publishes them, the derive app derives, and a read_committed consumer sees
 * exactly the expected events.
 */
class PipelineIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  @TempDir Path dir;

  @Test
  void pollerToDeriveYieldsExactlyTheExpectedEvents() throws Exception {
    Topics topics = DeriveItSupport.uniqueTopics();
    kafka.createTopics(
        new NewTopic(topics.snapshots(), 2, (short) 1),
        new NewTopic(topics.deadLetter(), 1, (short) 1));
    Map<String, String> flags =
        DeriveItSupport.flags(
            kafka.bootstrapServers(),
            registry.url(),
            topics,
            "pipeline-it-" + System.nanoTime(),
            dir.resolve("state"));
    DeriveApp.Settings deriveSettings = DeriveItSupport.settings(flags);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (BinancePmSimulator sim =
            BinancePmSimulator.builder().scenario("calm").accounts(1).seed(5).build().start();
        HttpSchemaRegistryClient registryClient =
            HttpSchemaRegistryClient.from(deriveSettings.connection());
        DeriveApp derive = DeriveApp.create(deriveSettings, registryClient, meters)) {
      SimulatedAccount account = sim.accounts().get(0);
      String id = account.id();
      account.set(new BigDecimal("2.00000000"), "NORMAL");
      derive.start();

      Map<String, String> pollFlags = new HashMap<>(flags);
      pollFlags.put("binance.base.url", sim.baseUrl());
      pollFlags.put("binance.time.url", sim.baseUrl() + "/fapi/v1/time");
      pollFlags.put("poll.interval", "100ms");
      pollFlags.put("poll.jitter", "0");
      Path credentials = dir.resolve("credentials.properties");
      sim.writeCredentials(credentials);
      PollerApp poller =
          PollerApp.create(
              PollerApp.Settings.from(
                  new ConfigReader(Settings.load(Optional.of(credentials), Map.of(), pollFlags))),
              meters);
      poller.start();
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    meters.find("pmas.snapshots").tag("outcome", "published").counter() != null
                        && poller.unsent() == 0);
        step(account, poller, "1.40000000", "MARGIN_CALL");
        step(account, poller, "1.10000000", "REDUCE_ONLY");
        step(account, poller, "1.60000000", "NORMAL");
      } finally {
        assertThat(poller.shutdown(Duration.ofSeconds(10))).isZero();
      }

      List<AccountStatusTransition> transitions = new ArrayList<>();
      List<UniMmrLevelEvent> levels = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                transitions.clear();
                transitions.addAll(read(topics.statusTransitions(), AccountStatusTransition.class));
                levels.clear();
                levels.addAll(read(topics.lowUniMmr(), UniMmrLevelEvent.class));
                assertThat(transitions).hasSizeGreaterThanOrEqualTo(4);
                assertThat(levels).hasSizeGreaterThanOrEqualTo(4);
              });

      assertThat(transitions)
          .extracting(
              t ->
                  t.getPreviousStatus()
                      + ">"
                      + t.getStatus()
                      + " "
                      + t.getDirection()
                      + " "
                      + t.getUniMMR())
          .containsExactly(
              "null>NORMAL INITIAL 2.00000000",
              "NORMAL>MARGIN_CALL WORSENED 1.40000000",
              "MARGIN_CALL>REDUCE_ONLY WORSENED 1.10000000",
              "REDUCE_ONLY>NORMAL IMPROVED 1.60000000");
      assertThat(levels)
          .extracting(
              e ->
                  e.getKind()
                      + " "
                      + e.getLevel()
                      + " at "
                      + e.getUniMMR()
                      + " from "
                      + e.getPreviousUniMMR())
          .containsExactly(
              "BREACHED 1.50000000 at 1.40000000 from 2.00000000",
              "BREACHED 1.20000000 at 1.10000000 from 1.40000000",
              "RECOVERED 1.20000000 at 1.60000000 from 1.10000000",
              "RECOVERED 1.50000000 at 1.60000000 from 1.10000000");
      assertThat(transitions).allSatisfy(t -> assertThat(t.getAccountId()).isEqualTo(id));
      assertThat(levels).extracting(UniMmrLevelEvent::getEventId).doesNotHaveDuplicates();
    }
  }

  /** Sets the account, waits until the poller has served and published it. */
  private static void step(SimulatedAccount account, PollerApp poller, String uniMmr, String status)
      throws Exception {
    account.set(new BigDecimal(uniMmr), status).served().get();
    await().atMost(Duration.ofSeconds(30)).until(() -> poller.unsent() == 0);
    Thread.sleep(300); // a few more polls of the same state: they must not add events
  }

  private <T extends SpecificRecord> List<T> read(String topic, Class<T> type) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put("isolation.level", "read_committed");
    Map<String, Object> serde = new HashMap<>();
    serde.put("schema.registry.url", registry.url());
    serde.put("specific.avro.value.type", type.getName());
    ConfluentAvroDeserializer<T> values = new ConfluentAvroDeserializer<>();
    values.configure(serde, false);
    List<T> records = new ArrayList<>();
    try (KafkaConsumer<String, T> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), values)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
          && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> records.add(r.value()));
      }
    }
    return records;
  }
}
