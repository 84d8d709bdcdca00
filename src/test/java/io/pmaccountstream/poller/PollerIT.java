package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.SimulatedAccount;
import io.pmaccountstream.simulator.fault.Fault;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The poller against the simulator, a real broker and a real registry. */
class PollerIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  @TempDir Path dir;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private BinancePmSimulator simulator(String scenario, int accounts, FaultConfig faults) {
    BinancePmSimulator sim =
        BinancePmSimulator.builder()
            .scenario(scenario)
            .accounts(accounts)
            .seed(7)
            .faults(faults)
            .build()
            .start();
    toClose.add(sim);
    return sim;
  }

  private PollerApp poller(BinancePmSimulator sim, String snapshots, String dlq) throws Exception {
    PollerApp.Settings settings =
        PollerFixture.settings(
            sim,
            dir.resolve("credentials.properties"),
            kafka.bootstrapServers(),
            registry.url(),
            Map.of("topic.snapshots", snapshots, "topic.dlq", dlq));
    PollerApp app = PollerFixture.start(settings, meters);
    toClose.add(() -> app.shutdown(Duration.ofSeconds(10)));
    return app;
  }

  @Test
  void publishesChangesInOrderWithHeartbeatsAndNothingUnsentAfterShutdown() throws Exception {
    String topic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 3);
    BinancePmSimulator sim = simulator("calm", 2, FaultConfig.none());
    SimulatedAccount account = sim.accounts().get(0);
    account.set("2.00000000");
    sim.accounts().get(1).set("3.00000000");
    PollerApp app = poller(sim, topic, KafkaBrokerExtension.uniqueTopic("dlq"));

    await().atMost(Duration.ofSeconds(30)).until(() -> account.servedCount() > 5);
    // The first observation and two heartbeats (period 1 s) of the unchanged account.
    await().atMost(Duration.ofSeconds(30)).until(() -> published(account.id()) >= 3);
    for (String value : List.of("1.90000000", "1.80000000", "1.70000000")) {
      account.set(value).served().get();
      await().until(() -> app.unsent() == 0);
    }
    assertThat(app.shutdown(Duration.ofSeconds(10))).isZero();

    List<AccountSnapshot> snapshots;
    try (KafkaConsumer<String, AccountSnapshot> consumer =
        PollerFixture.snapshotConsumer(kafka.bootstrapServers(), registry.url())) {
      snapshots =
          PollerFixture.readAll(consumer, topic).stream()
              .filter(r -> r.key().equals(account.id()))
              .map(ConsumerRecord::value)
              .toList();
    }
    assertThat(snapshots)
        .extracting(AccountSnapshot::getSequence)
        .isSorted()
        .doesNotHaveDuplicates();
    List<Duration> heartbeatGaps = new ArrayList<>();
    for (int i = 1; i < snapshots.size(); i++) {
      assertThat(snapshots.get(i).getSequence()).isEqualTo(snapshots.get(i - 1).getSequence() + 1);
      if (SnapshotMapper.sameState(snapshots.get(i - 1), snapshots.get(i))) {
        heartbeatGaps.add(
            Duration.between(
                snapshots.get(i - 1).getObservedAt(), snapshots.get(i).getObservedAt()));
      }
    }
    assertThat(heartbeatGaps)
        .as("an unchanged account is published again, once per heartbeat")
        .isNotEmpty()
        .allSatisfy(gap -> assertThat(gap).isGreaterThanOrEqualTo(Duration.ofSeconds(1)));
    List<BigDecimal> distinct =
        snapshots.stream().map(AccountSnapshot::getUniMMR).distinct().toList();
    assertThat(distinct)
        .containsExactly(
            new BigDecimal("2.00000000"),
            new BigDecimal("1.90000000"),
            new BigDecimal("1.80000000"),
            new BigDecimal("1.70000000"));
    long heartbeats =
        snapshots.stream().filter(s -> s.getUniMMR().equals(new BigDecimal("2.00000000"))).count();
    assertThat(heartbeats)
        .as("first observation plus heartbeats: at least the 3 awaited, at most ~5 in the wait")
        .isBetween(3L, 5L);
    assertThat(account.servedCount())
        .as("polls at 100 ms are far more than what was published")
        .isGreaterThan(snapshots.size() * 3L);
  }

  @Test
  void writesTheConfluentWireFormatWithTheRegistrysId() throws Exception {
    String topic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 1);
    BinancePmSimulator sim = simulator("calm", 1, FaultConfig.none());
    PollerApp app = poller(sim, topic, KafkaBrokerExtension.uniqueTopic("dlq"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> meters.find("pmas.snapshots").tag("outcome", "published").counter() != null);
    app.shutdown(Duration.ofSeconds(10));

    byte[] value;
    try (KafkaConsumer<String, byte[]> consumer =
        PollerFixture.rawConsumer(kafka.bootstrapServers())) {
      value = PollerFixture.readAll(consumer, topic).get(0).value();
    }
    HttpResponse<String> latest =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            registry.url() + "/subjects/" + topic + "-value/versions/latest"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    int registeredId = new ObjectMapper().readTree(latest.body()).get("id").asInt();

    assertThat(value[0]).as("magic byte").isZero();
    assertThat(ByteBuffer.wrap(value, 1, 4).getInt()).isEqualTo(registeredId);
  }

  @Test
  void keepsEveryBadPayloadInTheDeadLetterTopicAndGoesOnPolling() throws Exception {
    String topic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 1);
    String dlq = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("dlq"), 1);
    FaultConfig faults =
        FaultConfig.none()
            .withRate(Fault.HTML_PAGE, 0.1)
            .withRate(Fault.TRUNCATED_JSON, 0.1)
            .withRate(Fault.NON_NUMERIC_NUMBER, 0.1);
    BinancePmSimulator sim = simulator("calm", 1, faults);
    PollerApp app = poller(sim, topic, dlq);

    ObjectMapper json = new ObjectMapper();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              List<JsonNode> letters = deadLetters(json, dlq);
              return letters.stream()
                      .anyMatch(l -> l.get("rawBody").asText().toLowerCase().contains("<html"))
                  && letters.stream()
                      .anyMatch(l -> l.get("message").asText().toLowerCase().contains("number"))
                  && letters.size() >= 5;
            });
    app.shutdown(Duration.ofSeconds(10));

    List<JsonNode> letters = deadLetters(json, dlq);
    assertThat(letters)
        .allSatisfy(
            l -> {
              assertThat(l.get("errorKind").asText()).isEqualTo("BAD_PAYLOAD");
              assertThat(l.get("accountId").asText()).isEqualTo(sim.accounts().get(0).id());
              assertThat(l.get("rawBody").asText()).doesNotContain(sim.accounts().get(0).apiKey());
            });
    try (KafkaConsumer<String, AccountSnapshot> consumer =
        PollerFixture.snapshotConsumer(kafka.bootstrapServers(), registry.url())) {
      assertThat(PollerFixture.readAll(consumer, topic))
          .as("good polls still publish")
          .isNotEmpty();
    }
    assertThat(app.poller().pausedAccounts()).isEmpty();
  }

  @Test
  void pausesAnAccountWithAWrongSecretAndKeepsPollingTheOthers() throws Exception {
    String topic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 1);
    String dlq = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("dlq"), 1);
    BinancePmSimulator sim = simulator("calm", 2, FaultConfig.none());
    String broken = sim.accounts().get(0).id();
    String healthy = sim.accounts().get(1).id();
    Path credentials = dir.resolve("credentials.properties");
    sim.writeCredentials(credentials);
    Properties props = new Properties();
    try (var in = Files.newBufferedReader(credentials)) {
      props.load(in);
    }
    PollerApp.Settings settings =
        PollerFixture.settings(
            sim,
            dir.resolve("unused.properties"),
            kafka.bootstrapServers(),
            registry.url(),
            Map.of(
                "topic.snapshots",
                topic,
                "topic.dlq",
                dlq,
                "account." + broken + ".secret",
                "0".repeat(64)));
    PollerApp app = PollerFixture.start(settings, meters);
    toClose.add(() -> app.shutdown(Duration.ofSeconds(10)));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> app.poller().pausedAccounts().contains(broken));
    long requestsWhenFailed = sim.account(broken).requestCount();
    await().atMost(Duration.ofSeconds(30)).until(() -> app.poller().isHealthy(healthy));
    await()
        .alias("no retry storm: paused for poll.fatal.backoff.initial (1 min)")
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> sim.account(broken).requestCount() <= requestsWhenFailed + 1);
    AccountPoller.AccountStatus status = app.poller().status(broken);
    assertThat(status.state()).isEqualTo(AccountPoller.State.PAUSED_FATAL);
    assertThat(status.reason()).contains("FATAL_CONFIG");
    assertThat(status.pausedUntil()).isPresent();
    assertThat(app.poller().status(healthy).state()).isEqualTo(AccountPoller.State.POLLING);
    app.shutdown(Duration.ofSeconds(10));

    List<JsonNode> letters = deadLetters(new ObjectMapper(), dlq);
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).get("errorKind").asText()).isEqualTo("FATAL_CONFIG");
    assertThat(letters.get(0).get("binanceCode").asInt()).isEqualTo(-1022);
    assertThat(letters.get(0).toString()).doesNotContain("0".repeat(64));
  }

  private double published(String account) {
    var counter =
        meters.find("pmas.snapshots").tags("outcome", "published", "account", account).counter();
    return counter == null ? 0 : counter.count();
  }

  private List<JsonNode> deadLetters(ObjectMapper json, String dlq) throws Exception {
    List<JsonNode> letters = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        PollerFixture.textConsumer(kafka.bootstrapServers())) {
      for (ConsumerRecord<String, String> r : PollerFixture.readAll(consumer, dlq)) {
        letters.add(json.readTree(r.value()));
      }
    }
    return letters;
  }
}
