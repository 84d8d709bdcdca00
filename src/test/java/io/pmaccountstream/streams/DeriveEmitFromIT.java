package io.pmaccountstream.streams;

import static io.pmaccountstream.streams.DeriveItSupport.readAll;
import static io.pmaccountstream.streams.DeriveItSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.streams.DeriveItSupport.Outputs;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import io.pmaccountstream.testing.TestSnapshots;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code derive.emit.from} at its default (first-start) on the real broker and registry: derive
 * started before anything exists derives everything that arrives; a new application id on an
 * existing history emits nothing for it and exactly the live events of what comes after its first
 * start, read_committed, equal to the plain derivation through {@code AccountFold}.
 */
class DeriveEmitFromIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final List<String> ACCOUNTS = List.of("acct-1", "acct-2", "acct-3");

  @TempDir Path work;

  private final Topics topics = DeriveItSupport.uniqueTopics();
  private final String applicationId = "it-emit-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<DeriveApp> apps = new ArrayList<>();
  private HttpSchemaRegistryClient client;
  private DerivationSerdes serdes;

  @BeforeEach
  void setUp() {
    client = HttpSchemaRegistryClient.from(settings(applicationId, "a").connection());
    serdes = DerivationSerdes.create(client);
  }

  @AfterEach
  void tearDown() {
    for (DeriveApp app : apps) {
      app.close(Duration.ofSeconds(30));
    }
    client.close();
  }

  /** The default emit.from (the shared IT flags set all for the ITs that write history first). */
  private DeriveApp.Settings settings(String applicationId, String stateDir) {
    Map<String, String> flags =
        DeriveItSupport.flags(
            kafka.bootstrapServers(),
            registry.url(),
            topics,
            applicationId,
            work.resolve(stateDir));
    flags.remove(DeriveConfig.EMIT_FROM.name());
    return DeriveItSupport.settings(flags);
  }

  private DeriveApp create(String applicationId, String stateDir) {
    DeriveApp app =
        DeriveApp.create(settings(applicationId, stateDir), client, new SimpleMeterRegistry());
    apps.add(app);
    return app;
  }

  @Test
  void deriveStartedOnAnEmptyClusterBecomesReadyOnceSnapshotsArriveAndDerivesThemExactly()
      throws Exception {
    DeriveApp app = create(applicationId, "a");
    CompletableFuture<Boolean> started = CompletableFuture.supplyAsync(app::start);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> app.readiness().check().reason().startsWith("waiting for input topic"));
    assertThat(app.liveness().check().isUp()).as("alive while waiting").isTrue();

    // the poller's first publish creates the topic (here: the test, like an operator would)
    kafka.createTopic(topics.snapshots(), 2);
    List<AccountSnapshot> input =
        DeriveItSupport.path(ACCOUNTS, 30, 21, DeriveItSupport.recentSecond());
    DeriveItSupport.produce(kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), input);

    assertThat(started.get(60, TimeUnit.SECONDS)).as("started").isTrue();
    await().atMost(Duration.ofSeconds(60)).until(() -> app.readiness().check().isUp());
    assertThat(firstStarts(applicationId))
        .as("first start of an application whose input had no history: everything emits")
        .containsExactly(Instant.EPOCH);
    Outputs expected = DeriveItSupport.expected(input, DerivationConfig.defaults());
    awaitExactly(expected);
  }

  @Test
  void aNewApplicationEmitsNothingForOldSnapshotsAndExactlyTheLiveEventsOfNewOnes()
      throws Exception {
    kafka.createTopic(topics.snapshots(), 2);
    List<AccountSnapshot> history =
        DeriveItSupport.path(ACCOUNTS, 30, 22, DeriveItSupport.recentSecond());
    DeriveItSupport.produce(
        kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), history);

    String newApplication = applicationId + "-new";
    DeriveApp app = create(newApplication, "new");
    assertThat(app.start()).isTrue();
    await().atMost(Duration.ofSeconds(60)).until(() -> app.readiness().check().isUp());
    List<Instant> recorded = firstStarts(newApplication);
    assertThat(recorded).hasSize(1);
    Instant firstStart = recorded.get(0);
    assertThat(firstStart).isAfter(history.get(history.size() - 1).getObservedAt());

    // the whole history is consumed and committed (the state warmed up), and nothing emitted
    awaitCommittedToTheEnd(newApplication);
    assertThat(
            readAll(
                kafka.bootstrapServers(), topics.statusTransitions(), serdes.transition(), false))
        .as("transitions of old snapshots, committed or not")
        .isEmpty();
    assertThat(readAll(kafka.bootstrapServers(), topics.lowUniMmr(), serdes.levelEvent(), false))
        .isEmpty();
    assertThat(readAll(kafka.bootstrapServers(), topics.latest(), serdes.snapshot(), false))
        .isEmpty();

    // a restart on a fresh state directory (a new pod) keeps the recorded first start
    app.close(Duration.ofSeconds(30));
    DeriveApp restarted = create(newApplication, "new-pod");
    assertThat(restarted.start()).isTrue();
    await().atMost(Duration.ofSeconds(60)).until(() -> restarted.readiness().check().isUp());
    assertThat(firstStarts(newApplication)).containsExactly(firstStart);

    long liveSecond = (firstStart.toEpochMilli() - TestSnapshots.BASE_MILLIS) / 1000 + 1;
    List<AccountSnapshot> live = DeriveItSupport.path(ACCOUNTS, 30, 23, liveSecond);
    DeriveItSupport.produce(kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), live);
    List<AccountSnapshot> all = new ArrayList<>(history);
    all.addAll(live);
    Outputs expected = DeriveItSupport.expectedFrom(all, firstStart, DerivationConfig.defaults());
    assertThat(expected.transitions)
        .as("the warmed state makes the live events differ from a derivation of the new ones alone")
        .isNotEqualTo(DeriveItSupport.expected(live, DerivationConfig.defaults()).transitions);

    awaitExactly(expected);
  }

  /** Every record of the application's first-start topic, in order. */
  private List<Instant> firstStarts(String applicationId) {
    return readAll(kafka.bootstrapServers(), FirstStart.topic(applicationId), Serdes.String(), true)
        .stream()
        .map(r -> Instant.parse(r.value()))
        .toList();
  }

  private void awaitCommittedToTheEnd(String applicationId) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (int p = 0; p < 2; p++) {
        latest.put(new TopicPartition(topics.snapshots(), p), OffsetSpec.latest());
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end =
          admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                Map<TopicPartition, OffsetAndMetadata> committed =
                    admin
                        .listConsumerGroupOffsets(applicationId)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                for (var e : end.entrySet()) {
                  assertThat(committed.get(e.getKey()))
                      .as("committed offset of " + e.getKey())
                      .isNotNull()
                      .extracting(OffsetAndMetadata::offset)
                      .isEqualTo(e.getValue().offset());
                }
              });
    }
  }

  /** Read committed, the outputs become exactly the expected ones, each event once. */
  private void awaitExactly(Outputs expected) {
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
                  .as("latest: the expected snapshots in order, each once")
                  .isTrue();
            });
  }
}
