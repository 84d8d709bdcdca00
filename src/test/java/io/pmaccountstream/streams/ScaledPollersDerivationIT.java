package io.pmaccountstream.streams;

import static io.pmaccountstream.streams.DeriveItSupport.readAll;
import static io.pmaccountstream.streams.DeriveItSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.streams.DeriveItSupport.Outputs;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pollers sharing the accounts through their group, with accounts handed over while derive runs:
 * the derived events equal the plain fold of the snapshots the pollers published (no loss, no
 * duplicate across a hand-over).
 */
class ScaledPollersDerivationIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final int ACCOUNTS = 12;

  @TempDir Path dir;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void derivedEventsEqualThePlainFoldOfWhatTheSharingPollersPublished() throws Exception {
    Topics topics = DeriveItSupport.uniqueTopics();
    kafka.createTopic(topics.snapshots(), 6);
    BinancePmSimulator simulator =
        BinancePmSimulator.builder()
            .scenario("flapping")
            .accounts(ACCOUNTS)
            .seed(5)
            .speed(20)
            .weightLimit(1_000_000)
            .faults(FaultConfig.none())
            .build()
            .start();
    toClose.add(simulator);

    String applicationId = "scaled-" + UUID.randomUUID().toString().substring(0, 8);
    DeriveApp.Settings deriveSettings =
        DeriveItSupport.settings(
            DeriveItSupport.flags(
                kafka.bootstrapServers(),
                registry.url(),
                topics,
                applicationId,
                dir.resolve("state")));
    HttpSchemaRegistryClient client = HttpSchemaRegistryClient.from(deriveSettings.connection());
    toClose.add(client);
    DeriveApp derive = DeriveApp.create(deriveSettings, client, new SimpleMeterRegistry());
    toClose.add(derive);
    derive.start();

    String group = "pollers-" + applicationId;
    PollerApp a = poller(simulator, topics, group, "poller-a");
    await().atMost(Duration.ofSeconds(60)).until(() -> published(topics) > 0);
    PollerApp b = poller(simulator, topics, group, "poller-b");
    PollerApp c = poller(simulator, topics, group, "poller-c");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !b.ownedAccountIds().isEmpty() && !c.ownedAccountIds().isEmpty());
    int before = published(topics);
    await().atMost(Duration.ofSeconds(60)).until(() -> published(topics) > before + 100);

    // a leaves (its accounts handed to b and c), d joins (takes a share from them)
    assertThat(a.shutdown(Duration.ofSeconds(20))).as("a's snapshots left unsent").isZero();
    PollerApp d = poller(simulator, topics, group, "poller-d");
    await().atMost(Duration.ofSeconds(60)).until(() -> !d.ownedAccountIds().isEmpty());
    int handedOver = published(topics);
    await().atMost(Duration.ofSeconds(60)).until(() -> published(topics) > handedOver + 100);
    for (PollerApp p : List.of(b, c, d)) {
      assertThat(p.shutdown(Duration.ofSeconds(20))).as("snapshots left unsent").isZero();
    }

    DerivationSerdes serdes = DerivationSerdes.create(client);
    List<AccountSnapshot> snapshots =
        values(readAll(kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), true))
            .stream()
            .map(AccountSnapshot.class::cast)
            .toList();
    assertThat(snapshots)
        .extracting(AccountSnapshot::getPollerInstanceId)
        .contains("poller-a", "poller-b", "poller-c", "poller-d");
    Outputs expected = DeriveItSupport.expected(snapshots, DerivationConfig.defaults());
    assertThat(expected.transitions).as("transitions the fold expects").isNotEmpty();
    await()
        .atMost(DeriveItSupport.OUTPUT_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(
                      Outputs.byAccount(
                          values(
                              readAll(
                                  kafka.bootstrapServers(),
                                  topics.statusTransitions(),
                                  serdes.transition(),
                                  true))))
                  .isEqualTo(Outputs.byAccount(expected.transitions));
              assertThat(
                      Outputs.byAccount(
                          values(
                              readAll(
                                  kafka.bootstrapServers(),
                                  topics.lowUniMmr(),
                                  serdes.levelEvent(),
                                  true))))
                  .isEqualTo(Outputs.byAccount(expected.levelEvents));
            });
  }

  private int published(Topics topics) {
    return readAll(
            kafka.bootstrapServers(),
            topics.snapshots(),
            new org.apache.kafka.common.serialization.Serdes.ByteArraySerde(),
            false)
        .size();
  }

  private PollerApp poller(
      BinancePmSimulator simulator, Topics topics, String group, String instance) throws Exception {
    Path credentials = dir.resolve(instance + ".properties");
    simulator.writeCredentials(credentials);
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", kafka.bootstrapServers());
    flags.put("schema.registry.url", registry.url());
    flags.put("binance.base.url", simulator.baseUrl());
    flags.put("binance.time.url", simulator.baseUrl() + "/fapi/v1/time");
    flags.put("binance.weight.limit.per.minute", "1000000");
    flags.put("poll.interval", "200ms");
    flags.put("poll.jitter", "0");
    flags.put("poll.heartbeat", "2s");
    flags.put("topic.snapshots", topics.snapshots());
    flags.put("topic.dlq", topics.deadLetter());
    flags.put("poller.instance.id", instance);
    flags.put("poller.group.id", group);
    flags.put("poller.assignment.topic", group + "-assignment");
    ConfigReader reader =
        new ConfigReader(Settings.load(Optional.of(credentials), Map.of(), flags));
    PollerApp.Settings settings = PollerApp.Settings.from(reader);
    PollerApp app = PollerApp.create(settings, new SimpleMeterRegistry());
    toClose.add(() -> app.shutdown(Duration.ofSeconds(10)));
    app.start();
    return app;
  }
}
