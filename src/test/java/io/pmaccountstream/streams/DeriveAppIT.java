package io.pmaccountstream.streams;

import static io.pmaccountstream.streams.DeriveItSupport.awaitAtLeast;
import static io.pmaccountstream.streams.DeriveItSupport.readAll;
import static io.pmaccountstream.streams.DeriveItSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.serde.SubjectCompatibility;
import io.pmaccountstream.streams.DeriveItSupport.Outputs;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.LogCapture;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import io.pmaccountstream.testing.TestSnapshots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The derive app on the real broker and the real registry: snapshots in, exact outputs out. */
class DeriveAppIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  @TempDir Path stateDir;

  private final Topics topics = DeriveItSupport.uniqueTopics();
  private final String applicationId = "it-derive-" + UUID.randomUUID().toString().substring(0, 8);
  private DeriveApp.Settings settings;
  private HttpSchemaRegistryClient client;
  private DerivationSerdes serdes;
  private DeriveApp app;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeEach
  void setUp() {
    kafka.createTopic(topics.snapshots(), 3);
    settings =
        DeriveItSupport.settings(
            DeriveItSupport.flags(
                kafka.bootstrapServers(), registry.url(), topics, applicationId, stateDir));
    client = HttpSchemaRegistryClient.from(settings.connection());
    serdes = DerivationSerdes.create(client);
  }

  @AfterEach
  void tearDown() {
    if (app != null) {
      app.close(Duration.ofSeconds(30));
    }
    client.close();
  }

  @Test
  void derivesExactlyTheEventsOfThePlainDerivationOnceEach() {
    List<AccountSnapshot> input =
        DeriveItSupport.path(
            List.of("acct-1", "acct-2", "acct-3", "acct-4"),
            60,
            42,
            DeriveItSupport.recentSecond());
    DeriveItSupport.produce(kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), input);
    Outputs expected = DeriveItSupport.expected(input, DerivationConfig.defaults());

    app = DeriveApp.create(settings, client, meters);
    app.start();

    List<ConsumerRecord<String, AccountStatusTransition>> transitions =
        awaitAtLeast(
            expected.transitions.size(),
            () ->
                readAll(
                    kafka.bootstrapServers(),
                    topics.statusTransitions(),
                    serdes.transition(),
                    true));
    List<ConsumerRecord<String, UniMmrLevelEvent>> levels =
        awaitAtLeast(
            expected.levelEvents.size(),
            () -> readAll(kafka.bootstrapServers(), topics.lowUniMmr(), serdes.levelEvent(), true));

    assertThat(Outputs.byAccount(values(transitions)))
        .isEqualTo(Outputs.byAccount(expected.transitions));
    assertThat(Outputs.byAccount(values(levels)))
        .isEqualTo(Outputs.byAccount(expected.levelEvents));
    await()
        .atMost(DeriveItSupport.OUTPUT_TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(
                        DeriveItSupport.isCompactionOf(
                            values(
                                readAll(
                                    kafka.bootstrapServers(),
                                    topics.latest(),
                                    serdes.snapshot(),
                                    true)),
                            expected.latest))
                    .as(
                        "latest holds, per account, expected snapshots in order, each once, ending with the last")
                    .isTrue());
    assertThat(expected.levelEvents).hasSizeGreaterThan(10);
    assertThat(transitions)
        .allSatisfy(
            r -> {
              assertThat(r.key()).isEqualTo(r.value().getAccountId());
              assertThat(r.timestamp()).isEqualTo(r.value().getObservedAt().toEpochMilli());
            });
    assertThat(levels)
        .allSatisfy(
            r -> assertThat(r.timestamp()).isEqualTo(r.value().getObservedAt().toEpochMilli()));
    assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
  }

  @Test
  void createsTheOutputsTheDeadLetterTopicAndACompactedLatestAndMakesSubjectsBackwardTransitive()
      throws Exception {
    DeriveItSupport.produce(
        kafka.bootstrapServers(),
        topics.snapshots(),
        serdes.snapshot(),
        List.of(TestSnapshots.of("acct-9").uniMmr("1.1").at(DeriveItSupport.recentSecond())));

    app = DeriveApp.create(settings, client, meters);
    app.start();
    awaitAtLeast(
        2, () -> readAll(kafka.bootstrapServers(), topics.lowUniMmr(), serdes.levelEvent(), true));

    try (Admin admin = kafka.admin()) {
      ConfigResource latest = new ConfigResource(ConfigResource.Type.TOPIC, topics.latest());
      Config config =
          admin.describeConfigs(List.of(latest)).all().get(30, TimeUnit.SECONDS).get(latest);
      assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
      Map<String, Integer> partitions =
          admin
              .describeTopics(
                  List.of(
                      topics.statusTransitions(),
                      topics.lowUniMmr(),
                      topics.latest(),
                      topics.deriveDeadLetter()))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS)
              .entrySet()
              .stream()
              .collect(
                  java.util.stream.Collectors.toMap(
                      Map.Entry::getKey, e -> e.getValue().partitions().size()));
      assertThat(partitions)
          .containsOnly(
              Map.entry(topics.statusTransitions(), 3),
              Map.entry(topics.lowUniMmr(), 3),
              Map.entry(topics.latest(), 3),
              Map.entry(topics.deriveDeadLetter(), 3));
    }
    for (String topic :
        List.of(
            topics.statusTransitions(),
            topics.lowUniMmr(),
            topics.latest(),
            DerivationTopology.changelogTopic(applicationId))) {
      assertThat(client.compatibility(topic + "-value"))
          .as(topic)
          .contains(SubjectCompatibility.BACKWARD_TRANSITIVE);
    }
  }

  @Test
  void exposesTheStaleCounterAndStreamsMetricsThroughMicrometer() {
    long t = DeriveItSupport.recentSecond();
    DeriveItSupport.produce(
        kafka.bootstrapServers(),
        topics.snapshots(),
        serdes.snapshot(),
        List.of(
            TestSnapshots.of("acct-5").uniMmr("1.6").updatedAt(t + 10).at(t + 10),
            TestSnapshots.of("acct-5").uniMmr("1.0").updatedAt(t + 5).at(t + 11),
            TestSnapshots.of("acct-5").uniMmr("1.7").updatedAt(t + 12).at(t + 12)));

    app = DeriveApp.create(settings, client, meters);
    app.start();
    awaitAtLeast(
        2, () -> readAll(kafka.bootstrapServers(), topics.latest(), serdes.snapshot(), true));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        meters.getMeters().stream()
                            .filter(
                                m ->
                                    m.getId()
                                        .getName()
                                        .equals("kafka.stream.pm.derive.stale.snapshots.total"))
                            .mapToDouble(m -> m.measure().iterator().next().getValue())
                            .sum())
                    .isEqualTo(1.0));
    assertThat(meters.getMeters())
        .extracting(Meter::getId)
        .extracting(id -> id.getName())
        .anyMatch(n -> n.startsWith("kafka.stream"));
    assertThat(meters.get("pm.derive.running").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void waitsForAMissingInputTopicNotReadyAndLoggingOnceUntilAClose() throws Exception {
    Topics missing = DeriveItSupport.uniqueTopics();
    DeriveApp.Settings noInput =
        DeriveItSupport.settings(
            DeriveItSupport.flags(
                kafka.bootstrapServers(), registry.url(), missing, applicationId, stateDir));
    app = DeriveApp.create(noInput, client, meters);
    DeriveApp waiting = app;
    try (LogCapture logs = LogCapture.start()) {
      java.util.concurrent.CompletableFuture<Boolean> started =
          java.util.concurrent.CompletableFuture.supplyAsync(waiting::start);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  waiting
                      .readiness()
                      .check()
                      .reason()
                      .equals("waiting for input topic " + missing.snapshots()));
      // several looks at the topic (one a second) go by
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !started.isDone() && waiting.liveness().check().isUp());
      assertThat(waiting.readiness().check().isUp()).isFalse();
      assertThat(logs.messages().stream().filter(m -> m.startsWith("Waiting for input topic")))
          .as("the wait is logged once, not once per look")
          .hasSize(1);

      long closing = System.nanoTime();
      waiting.close(Duration.ofSeconds(30));

      assertThat(started.get(10, TimeUnit.SECONDS)).as("started").isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - closing))
          .as("a close (SIGTERM) ends the wait at once")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(waiting.stopped()).isCompletedWithValue(KafkaStreams.State.NOT_RUNNING);
    }
  }

  @Test
  void refusesALatestTopicThatIsNotCompacted() {
    kafka.createTopic(topics.latest(), 3);
    app = DeriveApp.create(settings, client, meters);

    org.assertj.core.api.Assertions.assertThatThrownBy(app::start)
        .isInstanceOf(DeriveStartupException.class)
        .hasMessageContaining(topics.latest())
        .hasMessageContaining("compact");
  }
}
