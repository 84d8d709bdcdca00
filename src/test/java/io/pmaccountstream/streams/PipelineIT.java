package io.pmaccountstream.streams;

import static io.pmaccountstream.streams.DeriveItSupport.readAll;
import static io.pmaccountstream.streams.DeriveItSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.LevelEventKind;
import io.pmaccountstream.avro.TransitionDirection;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.SimulatedAccount;
import io.pmaccountstream.streams.DeriveItSupport.Outputs;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on the real broker and registry: the Binance PM simulator, the poller
 * publishing snapshots, and the derive app; the derived events are the plain derivation of exactly
 * the snapshots the poller published, and the steered account shows the expected story.
 */
class PipelineIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  @TempDir Path dir;

  private final Topics topics = DeriveItSupport.uniqueTopics();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void simulatorPollerAndDeriveProduceTheDerivationOfEveryPublishedSnapshot() throws Exception {
    kafka.createTopic(topics.snapshots(), 2);
    BinancePmSimulator simulator =
        BinancePmSimulator.builder().scenario("calm").accounts(2).seed(7).build().start();
    toClose.add(simulator);
    SimulatedAccount steered = simulator.accounts().get(0);
    steered.set(new BigDecimal("2.0"), "NORMAL");
    simulator.accounts().get(1).set(new BigDecimal("3.0"), "NORMAL");

    String applicationId = "it-pipeline-" + UUID.randomUUID().toString().substring(0, 8);
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
    PollerApp poller = startPoller(simulator);
    DerivationSerdes serdes = DerivationSerdes.create(client);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                readAll(kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), true)
                    .stream()
                    .anyMatch(r -> r.key().equals(steered.id())));

    List<String> story = List.of("1.40", "1.15", "1.00", "1.10", "1.30", "1.60");
    List<String> statuses =
        List.of(
            "MARGIN_CALL",
            "REDUCE_ONLY",
            "FORCE_LIQUIDATION",
            "REDUCE_ONLY",
            "MARGIN_CALL",
            "NORMAL");
    for (int i = 0; i < story.size(); i++) {
      steered.set(new BigDecimal(story.get(i)), statuses.get(i)).served().get(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).until(() -> poller.unsent() == 0);
    }
    assertThat(poller.shutdown(Duration.ofSeconds(10))).as("snapshots left unsent").isZero();

    List<AccountSnapshot> published =
        values(readAll(kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), true))
            .stream()
            .map(AccountSnapshot.class::cast)
            .toList();
    Outputs expected = DeriveItSupport.expected(published, DerivationConfig.defaults());
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
              assertThat(
                      DeriveItSupport.isCompactionOf(
                          values(
                              readAll(
                                  kafka.bootstrapServers(),
                                  topics.latest(),
                                  serdes.snapshot(),
                                  true)),
                          expected.latest))
                  .isTrue();
            });

    List<UniMmrLevelEvent> levels =
        readAll(kafka.bootstrapServers(), topics.lowUniMmr(), serdes.levelEvent(), true).stream()
            .map(r -> r.value())
            .filter(e -> e.getAccountId().equals(steered.id()))
            .toList();
    assertThat(levels)
        .extracting(
            UniMmrLevelEvent::getKind,
            e -> e.getLevel().toPlainString(),
            e -> e.getUniMMR().toPlainString())
        .containsExactly(
            tuple(LevelEventKind.BREACHED, "1.50000000", "1.40000000"),
            tuple(LevelEventKind.BREACHED, "1.20000000", "1.15000000"),
            tuple(LevelEventKind.BREACHED, "1.05000000", "1.00000000"),
            tuple(LevelEventKind.RECOVERED, "1.05000000", "1.10000000"),
            tuple(LevelEventKind.RECOVERED, "1.20000000", "1.30000000"),
            tuple(LevelEventKind.RECOVERED, "1.50000000", "1.60000000"));
    List<AccountStatusTransition> transitions =
        readAll(kafka.bootstrapServers(), topics.statusTransitions(), serdes.transition(), true)
            .stream()
            .map(r -> r.value())
            .filter(t -> t.getAccountId().equals(steered.id()))
            .toList();
    assertThat(transitions)
        .extracting(AccountStatusTransition::getStatus, AccountStatusTransition::getDirection)
        .containsExactly(
            tuple(AccountStatus.NORMAL, TransitionDirection.INITIAL),
            tuple(AccountStatus.MARGIN_CALL, TransitionDirection.WORSENED),
            tuple(AccountStatus.REDUCE_ONLY, TransitionDirection.WORSENED),
            tuple(AccountStatus.FORCE_LIQUIDATION, TransitionDirection.WORSENED),
            tuple(AccountStatus.REDUCE_ONLY, TransitionDirection.IMPROVED),
            tuple(AccountStatus.MARGIN_CALL, TransitionDirection.IMPROVED),
            tuple(AccountStatus.NORMAL, TransitionDirection.IMPROVED));
  }

  private PollerApp startPoller(BinancePmSimulator simulator) throws Exception {
    Path credentials = dir.resolve("credentials.properties");
    simulator.writeCredentials(credentials);
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", kafka.bootstrapServers());
    flags.put("schema.registry.url", registry.url());
    flags.put("binance.base.url", simulator.baseUrl());
    flags.put("binance.time.url", simulator.baseUrl() + "/fapi/v1/time");
    flags.put("poll.interval", "100ms");
    flags.put("poll.jitter", "0");
    flags.put("poll.heartbeat", "1s");
    flags.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    flags.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    ConfigReader reader =
        new ConfigReader(Settings.load(Optional.of(credentials), Map.of(), flags));
    PollerApp.Settings settings = PollerApp.Settings.from(reader);
    reader.throwIfProblems();
    PollerApp poller = PollerApp.create(settings, new SimpleMeterRegistry());
    poller.start();
    toClose.add(() -> poller.shutdown(Duration.ofSeconds(10)));
    return poller;
  }
}
