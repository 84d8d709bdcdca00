package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.HistoryFixture.cli;
import static io.pmaccountstream.replay.HistoryFixture.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.TransitionDirection;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.replay.HistoryFixture.CliRun;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.streams.DeriveApp;
import io.pmaccountstream.streams.DeriveConfig;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay and export on a real broker and a real schema registry, against the live derive app (the
 * Kafka Streams topology under exactly_once_v2).
 */
class ReplayIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final List<String> ACCOUNTS = List.of("acct-a", "acct-b", "acct-c", "acct-d");

  @TempDir Path dir;

  private final Topics topics = HistoryFixture.uniqueTopics();
  private final Instant start =
      Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(3));
  private HttpSchemaRegistryClient client;

  @BeforeEach
  void setUp() {
    kafka.createTopic(topics.snapshots(), 3);
    client = HistoryFixture.registryClient(registry.url());
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  @Test
  void replayWithTheLiveConfigurationReproducesTheLiveEventsExactly() throws IOException {
    List<AccountSnapshot> history = HistoryFixture.randomWalk(ACCOUNTS, start, 120, 2026);
    int half = history.size() / 2;
    HistoryFixture.produce(
        kafka.bootstrapServers(), registry.url(), topics.snapshots(), history.subList(0, half));
    // An aborted transaction and a record that is not a snapshot: both sides skip them.
    HistoryFixture.produceAborted(
        kafka.bootstrapServers(),
        registry.url(),
        topics.snapshots(),
        List.of(
            snapshot(
                "acct-a",
                history.get(half).getObservedAt(),
                Duration.ZERO,
                "0.5",
                AccountStatus.BANKRUPTED,
                999)));
    HistoryFixture.produceRaw(
        kafka.bootstrapServers(),
        topics.snapshots(),
        "acct-b",
        history.get(half).getObservedAt(),
        "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8));
    HistoryFixture.produce(
        kafka.bootstrapServers(),
        registry.url(),
        topics.snapshots(),
        history.subList(half, history.size()));
    runLiveAppToTheEnd();
    // Up to now: the abort marker is stamped with the wall clock, and a range's end is the first
    // offset at or after --to, so an older --to would end acct-a's partition at the marker.
    Instant from = start.plus(Duration.ofMinutes(20));
    Instant to = Instant.now();

    Path out = dir.resolve("replay.avro");
    CliRun run =
        cli(
            connection(
                "replay",
                "--from",
                from.toString(),
                "--to",
                "now",
                "--out",
                out.toString(),
                "--summary"));

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<AccountStatusTransition> replayedTransitions =
        EventSinksTest.readSpecific(
            AvroContainerEventSink.transitionsPath(out), AccountStatusTransition.class);
    List<UniMmrLevelEvent> replayedLevels =
        EventSinksTest.readSpecific(
            AvroContainerEventSink.levelEventsPath(out), UniMmrLevelEvent.class);
    Predicate<Instant> inRange = t -> !t.isBefore(from) && t.isBefore(to);
    List<AccountStatusTransition> liveTransitions =
        live(topics.statusTransitions(), AccountStatusTransition.class).stream()
            .filter(t -> inRange.test(t.getObservedAt()))
            .toList();
    List<UniMmrLevelEvent> liveLevels =
        live(topics.lowUniMmr(), UniMmrLevelEvent.class).stream()
            .filter(e -> inRange.test(e.getObservedAt()))
            .toList();
    assertThat(liveLevels).hasSizeGreaterThan(10);
    assertThat(liveTransitions).hasSizeGreaterThan(5);
    // Record by record, in the order each account's events were emitted live.
    assertThat(byAccount(replayedTransitions, AccountStatusTransition::getAccountId))
        .isEqualTo(byAccount(liveTransitions, AccountStatusTransition::getAccountId));
    assertThat(byAccount(replayedLevels, UniMmrLevelEvent::getAccountId))
        .isEqualTo(byAccount(liveLevels, UniMmrLevelEvent::getAccountId));
    assertThat(run.err())
        .contains("1 bad records skipped {not Confluent wire format=1}")
        .contains("replay: one Avro container holds one schema");
    assertThat(run.out()).contains("ACCOUNT").containsPattern("acct-a +1\\.50000000");
  }

  @Test
  void replayToPrefixedTopicsEqualsTheLiveTopicsAndLeavesThemAlone() {
    List<AccountSnapshot> history = HistoryFixture.randomWalk(ACCOUNTS, start, 60, 7);
    HistoryFixture.produce(kafka.bootstrapServers(), registry.url(), topics.snapshots(), history);
    runLiveAppToTheEnd();
    int liveTransitionsBefore =
        live(topics.statusTransitions(), AccountStatusTransition.class).size();

    CliRun run =
        cli(
            connection(
                "replay",
                "--from",
                start.toString(),
                "--to",
                "now",
                "--out-topic",
                "backtest.",
                "--quiet"));

    assertThat(run.exitCode()).as(run.err()).isZero();
    Topics backtest = topics.withPrefix("backtest.");
    assertThat(run.err()).contains(backtest.statusTransitions()).contains(backtest.lowUniMmr());
    List<ConsumerRecord<String, UniMmrLevelEvent>> replayed =
        HistoryFixture.readAll(
            kafka.bootstrapServers(),
            backtest.lowUniMmr(),
            new ConfluentAvroDeserializer<>(client, UniMmrLevelEvent.class));
    assertThat(replayed)
        .allSatisfy(
            r -> {
              assertThat(r.key()).isEqualTo(r.value().getAccountId());
              assertThat(r.timestamp()).isEqualTo(r.value().getObservedAt().toEpochMilli());
            });
    assertThat(
            byAccount(
                replayed.stream().map(ConsumerRecord::value).toList(),
                UniMmrLevelEvent::getAccountId))
        .isEqualTo(
            byAccount(
                live(topics.lowUniMmr(), UniMmrLevelEvent.class), UniMmrLevelEvent::getAccountId));
    assertThat(
            byAccount(
                HistoryFixture.readAll(
                        kafka.bootstrapServers(),
                        backtest.statusTransitions(),
                        new ConfluentAvroDeserializer<>(client, AccountStatusTransition.class))
                    .stream()
                    .map(ConsumerRecord::value)
                    .toList(),
                AccountStatusTransition::getAccountId))
        .isEqualTo(
            byAccount(
                live(topics.statusTransitions(), AccountStatusTransition.class),
                AccountStatusTransition::getAccountId));
    assertThat(live(topics.statusTransitions(), AccountStatusTransition.class))
        .hasSize(liveTransitionsBefore);
  }

  @Test
  void whatIfLevelsAndHysteresisProduceTheirOwnEvents() throws IOException {
    List<String> path = List.of("1.50", "1.25", "1.32", "1.35", "1.08", "1.12", "1.40");
    List<AccountSnapshot> history = new ArrayList<>();
    for (int i = 0; i < path.size(); i++) {
      history.add(
          snapshot(
              "acct-w",
              start.plusSeconds(60L * i),
              Duration.ZERO,
              path.get(i),
              AccountStatus.NORMAL,
              i + 1));
    }
    HistoryFixture.produce(kafka.bootstrapServers(), registry.url(), topics.snapshots(), history);
    Path out = dir.resolve("what-if.jsonl");
    Path summary = dir.resolve("what-if.csv");

    CliRun run =
        cli(
            connection(
                "replay",
                "--from",
                start.toString(),
                "--to",
                start.plusSeconds(3_600).toString(),
                "--levels",
                "1.3,1.1",
                "--hysteresis",
                "0.01",
                "--out",
                out.toString(),
                "--summary-out",
                summary.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> levelEvents = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(out)) {
      JsonNode event = json.readTree(line);
      if (event.get("type").asText().equals("unimmr-level")) {
        levelEvents.add(
            event.get("kind").asText()
                + " "
                + event.get("level").asText()
                + " at "
                + event.get("uniMMR").asText());
      }
    }
    // 1.25 breaches 1.3; 1.32 >= 1.313 recovers it; 1.08 breaches both; 1.12 >= 1.111 recovers
    // 1.1; 1.40 recovers 1.3. The live levels (1.5, 1.2, 1.05) would give other events.
    assertThat(levelEvents)
        .containsExactly(
            "BREACHED 1.30000000 at 1.25000000",
            "RECOVERED 1.30000000 at 1.32000000",
            "BREACHED 1.30000000 at 1.08000000",
            "BREACHED 1.10000000 at 1.08000000",
            "RECOVERED 1.10000000 at 1.12000000",
            "RECOVERED 1.30000000 at 1.40000000");
    assertThat(Files.readAllLines(summary))
        .contains(
            "acct-w,1.30000000,2,180.000,120.000,false,1.08000000,"
                + start.plusSeconds(240)
                + ",7,0,"
                + start.plusSeconds(360)
                + ",0,1,0,0,0,0,0,0");
  }

  @Test
  void badRecordsAreCountedAndReportedWithoutStoppingTheReplay() throws IOException {
    Instant t = start;
    HistoryFixture.produce(
        kafka.bootstrapServers(),
        registry.url(),
        topics.snapshots(),
        List.of(snapshot("acct-x", t, Duration.ZERO, "1.6", AccountStatus.NORMAL, 1)));
    int snapshotSchemaId =
        client.register(topics.snapshots() + "-value", AccountSnapshot.getClassSchema());
    byte[] unknownId = {0, 0x00, 0x0f, 0x42, 0x3f, 2, 0};
    byte[] undecodable = {
      0,
      (byte) (snapshotSchemaId >>> 24),
      (byte) (snapshotSchemaId >>> 16),
      (byte) (snapshotSchemaId >>> 8),
      (byte) snapshotSchemaId,
      (byte) 0xff
    };
    String bootstrap = kafka.bootstrapServers();
    HistoryFixture.produceRaw(bootstrap, topics.snapshots(), "acct-x", t.plusSeconds(1), unknownId);
    HistoryFixture.produceRaw(
        bootstrap, topics.snapshots(), "acct-x", t.plusSeconds(2), undecodable);
    HistoryFixture.produceRaw(
        bootstrap,
        topics.snapshots(),
        "acct-x",
        t.plusSeconds(3),
        "plain text".getBytes(StandardCharsets.UTF_8));
    HistoryFixture.produceRaw(bootstrap, topics.snapshots(), "acct-x", t.plusSeconds(4), null);
    HistoryFixture.produce(
        bootstrap,
        registry.url(),
        topics.snapshots(),
        List.of(
            snapshot(
                "acct-x", t.plusSeconds(5), Duration.ZERO, "1.1", AccountStatus.REDUCE_ONLY, 2)));
    Path out = dir.resolve("bad.jsonl");

    CliRun run = cli(connection("replay", "--from", t.toString(), "--out", out.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("4 bad records skipped")
        .contains("not Confluent wire format=1")
        .contains("unknown schema id=1")
        .contains("undecodable=1")
        .contains("no value (tombstone)=1")
        .contains("offset 1: unknown schema id (id 999999)");
    assertThat(Files.readAllLines(out))
        // INITIAL NORMAL; NORMAL -> REDUCE_ONLY with BREACHED 1.5 and 1.2 (1.1 is above 1.05).
        .hasSize(4)
        .anySatisfy(line -> assertThat(line).contains("\"status\":\"REDUCE_ONLY\""));
  }

  /** The command line with this IT's broker, registry and topics. */
  private String[] connection(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--schema-registry-url",
            registry.url(),
            "--set",
            Topics.SNAPSHOTS.name() + "=" + topics.snapshots(),
            "--set",
            Topics.STATUS_TRANSITIONS.name() + "=" + topics.statusTransitions(),
            "--set",
            Topics.LOW_UNIMMR.name() + "=" + topics.lowUniMmr(),
            "--set",
            Topics.LATEST.name() + "=" + topics.latest(),
            "--set",
            Topics.DEAD_LETTER.name() + "=" + topics.deadLetter(),
            "--set",
            Topics.DERIVE_DEAD_LETTER.name() + "=" + topics.deriveDeadLetter()));
    return all.toArray(String[]::new);
  }

  /**
   * A live app with the default derive.emit.from (first-start) starts on an existing history; what
   * it emits is what {@code replay --from <its first start>} (warm-up all, the default) emits.
   */
  @Test
  void replayFromTheFirstStartReproducesALiveAppThatStartedOnAnExistingHistory()
      throws IOException {
    HistoryFixture.produce(
        kafka.bootstrapServers(),
        registry.url(),
        topics.snapshots(),
        HistoryFixture.randomWalk(ACCOUNTS, start, 60, 31));
    String applicationId = "it-live-" + UUID.randomUUID().toString().substring(0, 8);
    Instant firstStart;
    List<AccountSnapshot> recent;
    try (DeriveApp app =
        DeriveApp.create(liveSettings(applicationId, false), client, new SimpleMeterRegistry())) {
      app.start();
      awaitCommittedToTheEnd(applicationId);
      firstStart = firstStartOf(applicationId);
      assertThat(live(topics.lowUniMmr(), UniMmrLevelEvent.class))
          .as("level events of the history before the first start")
          .isEmpty();
      recent = HistoryFixture.randomWalk(ACCOUNTS, firstStart.plusSeconds(1), 30, 32);
      HistoryFixture.produce(kafka.bootstrapServers(), registry.url(), topics.snapshots(), recent);
      awaitCommittedToTheEnd(applicationId);
    }
    Instant afterLast = recent.get(recent.size() - 1).getObservedAt().plusSeconds(1);

    Path out = dir.resolve("replay-first-start.avro");
    CliRun run =
        cli(
            connection(
                "replay",
                "--from",
                firstStart.toString(),
                "--to",
                afterLast.toString(),
                "--out",
                out.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<AccountStatusTransition> liveTransitions =
        live(topics.statusTransitions(), AccountStatusTransition.class);
    List<UniMmrLevelEvent> liveLevels = live(topics.lowUniMmr(), UniMmrLevelEvent.class);
    assertThat(liveLevels).hasSizeGreaterThan(5);
    assertThat(liveTransitions)
        .as("warmed up: no account starts with an INITIAL transition")
        .isNotEmpty()
        .noneMatch(t -> t.getDirection() == TransitionDirection.INITIAL);
    assertThat(
            byAccount(
                EventSinksTest.readSpecific(
                    AvroContainerEventSink.transitionsPath(out), AccountStatusTransition.class),
                AccountStatusTransition::getAccountId))
        .isEqualTo(byAccount(liveTransitions, AccountStatusTransition::getAccountId));
    assertThat(
            byAccount(
                EventSinksTest.readSpecific(
                    AvroContainerEventSink.levelEventsPath(out), UniMmrLevelEvent.class),
                UniMmrLevelEvent::getAccountId))
        .isEqualTo(byAccount(liveLevels, UniMmrLevelEvent::getAccountId));
  }

  /** The instant in the application's first-start topic (docs/derive.md). */
  private Instant firstStartOf(String applicationId) {
    String topic = applicationId + "-first-start";
    try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers()),
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          return Instant.parse(record.value());
        }
      }
      throw new AssertionError("no record in " + topic);
    }
  }

  private void awaitCommittedToTheEnd(String applicationId) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> committedToTheEnd(applicationId));
  }

  /** Runs the live derive app until it has committed every snapshot of the topic, then stops it. */
  private void runLiveAppToTheEnd() {
    String applicationId = "it-live-" + UUID.randomUUID().toString().substring(0, 8);
    try (DeriveApp app =
        DeriveApp.create(liveSettings(applicationId, true), client, new SimpleMeterRegistry())) {
      app.start();
      awaitCommittedToTheEnd(applicationId);
    }
  }

  private DeriveApp.Settings liveSettings(String applicationId, boolean emitAll) {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
    flags.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), registry.url());
    flags.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    flags.put(Topics.STATUS_TRANSITIONS.name(), topics.statusTransitions());
    flags.put(Topics.LOW_UNIMMR.name(), topics.lowUniMmr());
    flags.put(Topics.LATEST.name(), topics.latest());
    flags.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    flags.put(Topics.DERIVE_DEAD_LETTER.name(), topics.deriveDeadLetter());
    flags.put(DeriveConfig.APPLICATION_ID.name(), applicationId);
    flags.put(DeriveConfig.STATE_DIR.name(), dir.resolve("state").toString());
    flags.put(DeriveConfig.COMMIT_INTERVAL.name(), "100ms");
    flags.put(DeriveConfig.SESSION_TIMEOUT.name(), "6s");
    if (emitAll) {
      // the history is written before the live app first starts, and all of it is compared
      flags.put(DeriveConfig.EMIT_FROM.name(), "all");
    }
    flags.put("kafka.heartbeat.interval.ms", "1000");
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));
    DeriveApp.Settings settings = DeriveApp.Settings.from(reader);
    reader.throwIfProblems();
    return settings;
  }

  private boolean committedToTheEnd(String groupId) throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
      for (int p = 0; p < 3; p++) {
        latest.put(new TopicPartition(topics.snapshots(), p), OffsetSpec.latest());
      }
      var ends = admin.listOffsets(latest).all().get();
      return ends.entrySet().stream()
          .allMatch(
              e ->
                  committed.get(e.getKey()) != null
                      && committed.get(e.getKey()).offset() >= e.getValue().offset());
    }
  }

  private <T extends SpecificRecord> List<T> live(String topic, Class<T> type) {
    return HistoryFixture.readAll(
            kafka.bootstrapServers(), topic, new ConfluentAvroDeserializer<>(client, type))
        .stream()
        .map(ConsumerRecord::value)
        .toList();
  }

  private static <T> Map<String, List<T>> byAccount(List<T> records, Function<T, String> account) {
    Map<String, List<T>> grouped = new LinkedHashMap<>();
    for (T record : records) {
      grouped.computeIfAbsent(account.apply(record), a -> new ArrayList<>()).add(record);
    }
    return new java.util.TreeMap<>(grouped);
  }
}
