package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.RiskLevelChange;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.userdata.UserDataEvent;
import io.pmaccountstream.binance.userdata.UserDataListener;
import io.pmaccountstream.ops.HealthCheck;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.SimulatedAccount;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poller's side of the push path on a real broker, registry and simulator: a user-data event,
 * fed by hand to the listener the stream client calls, brings the account's snapshot within a round
 * trip although {@code poll.interval} is a minute, and a riskLevelChange is readable from its topic
 * as Avro with exact decimals.
 */
class PushTriggeredPollIT {

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

  private BinancePmSimulator simulator() {
    BinancePmSimulator sim =
        BinancePmSimulator.builder()
            .scenario("calm")
            .accounts(2)
            .seed(11)
            .faults(FaultConfig.none())
            .build()
            .start();
    toClose.add(sim);
    return sim;
  }

  private PollerApp poller(BinancePmSimulator sim, Map<String, String> overrides) throws Exception {
    Map<String, String> flags = new HashMap<>(overrides);
    flags.put("poll.interval", "60s");
    PollerApp.Settings settings =
        PollerFixture.settings(
            sim,
            dir.resolve("credentials.properties"),
            kafka.bootstrapServers(),
            registry.url(),
            flags);
    PollerApp app = PollerFixture.start(settings, meters);
    toClose.add(() -> app.shutdown(Duration.ofSeconds(10)));
    return app;
  }

  @Test
  void aRiskLevelChangeBringsTheSnapshotWithinARoundTripAndIsPublishedExactly() throws Exception {
    String snapshots = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 3);
    String riskTopic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("risk"), 3);
    BinancePmSimulator sim = simulator();
    SimulatedAccount alice = sim.accounts().get(0);
    SimulatedAccount bob = sim.accounts().get(1);
    alice.set("2.00000000");
    bob.set("2.50000000");
    PollerApp app =
        poller(
            sim,
            Map.of(
                "topic.snapshots",
                snapshots,
                "topic.risk.level.changes",
                riskTopic,
                "topic.dlq",
                KafkaBrokerExtension.uniqueTopic("dlq"),
                "poll.adaptive",
                "false"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> published(snapshots, alice.id()).size() == 1);
    long bobServed = bob.servedCount();

    alice.set("1.19000000");
    Instant fed = Instant.now();
    app.pushEvents()
        .onEvent(
            new UserDataEvent.RiskLevelChange(
                alice.id(),
                fed,
                "REDUCE_ONLY",
                new BigDecimal("1.19"),
                new BigDecimal("12345.6789"),
                new BigDecimal("13000.00000001"),
                new BigDecimal("10374.51")));

    // poll.interval is 60 s: only the push-triggered poll can bring this snapshot
    await().atMost(Duration.ofSeconds(5)).until(() -> published(snapshots, alice.id()).size() == 2);
    AccountSnapshot pushed = published(snapshots, alice.id()).get(1);
    assertThat(pushed.getUniMMR()).isEqualTo(new BigDecimal("1.19000000"));
    assertThat(Duration.between(fed, pushed.getObservedAt())).isLessThan(Duration.ofSeconds(5));
    assertThat(bob.servedCount()).as("bob is not polled by alice's event").isEqualTo(bobServed);
    assertThat(meters.counter("pmas.poll.push.polls", "account", alice.id()).count())
        .isEqualTo(1.0);

    List<ConsumerRecord<String, RiskLevelChange>> changes = riskLevelChanges(riskTopic);
    assertThat(changes).hasSize(1);
    ConsumerRecord<String, RiskLevelChange> record = changes.get(0);
    assertThat(record.key()).isEqualTo(alice.id());
    assertThat(record.timestamp()).isEqualTo(fed.toEpochMilli());
    RiskLevelChange change = record.value();
    assertThat(change.getRiskLevel()).isEqualTo("REDUCE_ONLY");
    assertThat(change.getUniMMR()).isEqualTo(new BigDecimal("1.19000000"));
    assertThat(change.getAccountEquity()).isEqualTo(new BigDecimal("12345.67890000"));
    assertThat(change.getActualEquity()).isEqualTo(new BigDecimal("13000.00000001"));
    assertThat(change.getMaintMargin()).isEqualTo(new BigDecimal("10374.51000000"));
    assertThat(change.getPollerInstanceId()).isEqualTo(app.settings().poller().instanceId());
  }

  @Test
  void eventsInABurstBecomeOnePollAndAMalformedFrameIsADeadLetter() throws Exception {
    String snapshots = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 3);
    String dlq = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("dlq"), 1);
    BinancePmSimulator sim = simulator();
    SimulatedAccount alice = sim.accounts().get(0);
    alice.set("2.00000000");
    PollerApp app =
        poller(
            sim,
            Map.of(
                "topic.snapshots",
                snapshots,
                "topic.risk.level.changes",
                KafkaBrokerExtension.uniqueTopic("risk"),
                "topic.dlq",
                dlq,
                "poll.push.min.gap",
                "10s"));
    await().atMost(Duration.ofSeconds(30)).until(() -> alice.servedCount() == 1);

    for (int i = 0; i < 20; i++) {
      app.pushEvents()
          .onEvent(new UserDataEvent.AccountChanged(alice.id(), Instant.now(), "ACCOUNT_UPDATE"));
    }
    app.pushEvents().onMalformed(alice.id(), "{\"e\":\"riskLevelChange\"", "not JSON");

    await().atMost(Duration.ofSeconds(5)).until(() -> alice.servedCount() == 2);
    // the gap is 10 s and poll.interval 60 s: nothing else polls alice meanwhile
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(4))
        .until(() -> alice.servedCount() == 2);
    // 21 asks, one push poll: the rest wait for it, for the first tick's poll still running, or
    // for the gap (coalesced: 20 when the first ask found the tick's poll running, else 19)
    assertThat(meters.counter("pmas.poll.push.triggered", "account", alice.id()).count())
        .isEqualTo(21.0);
    assertThat(meters.counter("pmas.poll.push.polls", "account", alice.id()).count())
        .isEqualTo(1.0);
    assertThat(meters.counter("pmas.poll.push.coalesced", "account", alice.id()).count())
        .isBetween(19.0, 20.0);
    List<String> letters = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        PollerFixture.textConsumer(kafka.bootstrapServers())) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                letters.clear();
                PollerFixture.readAll(consumer, dlq).forEach(r -> letters.add(r.value()));
                return !letters.isEmpty();
              });
    }
    assertThat(letters)
        .singleElement()
        .asString()
        .contains("\"errorKind\":\"BAD_PUSH_FRAME\"", "not JSON", alice.id());
  }

  /** Records what the poller asks of the stream client, which reports every stream connected. */
  private static final class RecordingStreams implements UserDataStreamControl {
    final List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile UserDataListener listener;

    @Override
    public void start(Collection<AccountCredentials> accounts, UserDataListener listener) {
      this.listener = listener;
      accounts.forEach(a -> started.add(a.accountId()));
    }

    @Override
    public void stop(Collection<String> accountIds, Duration timeout) {
      stopped.addAll(accountIds);
    }

    @Override
    public Map<String, StreamHealth> health() {
      Map<String, StreamHealth> health = new HashMap<>();
      started.forEach(a -> health.put(a, new StreamHealth(!stopped.contains(a), "test stream")));
      return health;
    }

    @Override
    public void close(Duration timeout) {
      stopped.addAll(started);
    }
  }

  @Test
  void nearALevelAnAccountIsPolledEverySecondWhileACalmOneWaitsItsMinute() throws Exception {
    String snapshots = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 3);
    BinancePmSimulator sim = simulator();
    SimulatedAccount alice = sim.accounts().get(0);
    SimulatedAccount bob = sim.accounts().get(1);
    alice.set("1.20500000"); // 0.4 % above 1.2
    bob.set("2.50000000");
    RecordingStreams streams = new RecordingStreams();
    PollerApp.Settings settings =
        PollerFixture.settings(
            sim,
            dir.resolve("credentials.properties"),
            kafka.bootstrapServers(),
            registry.url(),
            Map.of(
                "poll.interval",
                "60s",
                "topic.snapshots",
                snapshots,
                "topic.risk.level.changes",
                KafkaBrokerExtension.uniqueTopic("risk"),
                "topic.dlq",
                KafkaBrokerExtension.uniqueTopic("dlq")));
    PollerApp app = PollerApp.create(settings, meters, streams);
    toClose.add(() -> app.shutdown(Duration.ofSeconds(10)));
    app.start();

    assertThat(streams.started).containsExactlyInAnyOrder(alice.id(), bob.id());
    assertThat(streams.listener).isSameAs(app.pushEvents());
    await().atMost(Duration.ofSeconds(30)).until(() -> alice.servedCount() >= 6);
    // bob's first tick is at half the minute (phases spread), then every 60 s
    assertThat(bob.servedCount()).as("bob, calm, waits poll.interval.max").isLessThanOrEqualTo(1);
    assertThat(meters.get("pmas.poll.interval").tag("account", alice.id()).gauge().value())
        .isEqualTo(1.0);
    assertThat(meters.get("pmas.poll.interval").tag("account", bob.id()).gauge().value())
        .isEqualTo(60.0);
    assertThat(
            meters
                .get("pmas.poller.user.stream.connected")
                .tag("account", alice.id())
                .gauge()
                .value())
        .isEqualTo(1.0);
    HealthCheck.Result health =
        app.readinessChecks().stream()
            .filter(c -> c.name().equals("user-data-streams"))
            .findFirst()
            .orElseThrow()
            .check();
    assertThat(health.reason()).contains("2 of 2 account(s) streaming");

    // calm again: from its next tick on, alice waits the minute too
    alice.set("2.00000000").served().get();
    long served = alice.servedCount();
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> alice.servedCount() <= served + 1);

    app.shutdown(Duration.ofSeconds(10));
    assertThat(streams.stopped).contains(alice.id(), bob.id());
  }

  private List<AccountSnapshot> published(String topic, String account) {
    try (KafkaConsumer<String, AccountSnapshot> consumer =
        PollerFixture.snapshotConsumer(kafka.bootstrapServers(), registry.url())) {
      return PollerFixture.readAll(consumer, topic).stream()
          .filter(r -> r.key().equals(account))
          .map(ConsumerRecord::value)
          .toList();
    }
  }

  private List<ConsumerRecord<String, RiskLevelChange>> riskLevelChanges(String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("schema.registry.url", registry.url());
    props.put("specific.avro.value.type", RiskLevelChange.class.getName());
    ConfluentAvroDeserializer<RiskLevelChange> values = new ConfluentAvroDeserializer<>();
    values.configure(props, false);
    List<ConsumerRecord<String, RiskLevelChange>> records = new ArrayList<>();
    try (KafkaConsumer<String, RiskLevelChange> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), values)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                records.clear();
                records.addAll(PollerFixture.readAll(consumer, topic));
                return !records.isEmpty();
              });
    }
    return records;
  }
}
