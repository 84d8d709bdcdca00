package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.HistoryFixture.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.replay.HistoryFixture.CliRun;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.serde.ConfluentAvroSerializer;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.streams.DeriveApp;
import io.pmaccountstream.streams.DeriveConfig;
import io.pmaccountstream.streams.RecordFailures;
import io.pmaccountstream.testing.FoldedEvents;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A history with bad records in it, on the real broker and registry: the live derive app
 * dead-letters each bad record once, derives exactly what the plain fold derives from the good ones
 * and is still RUNNING; a replay of the same topic gives the same events and skips the same records
 * for the same reasons.
 */
class BadRecordsLiveAndReplayIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final List<String> ACCOUNTS = List.of("acct-a", "acct-b", "acct-c");

  @TempDir Path dir;

  private final Topics topics = HistoryFixture.uniqueTopics();
  private final String applicationId = "it-bad-" + UUID.randomUUID().toString().substring(0, 8);
  private final Instant start =
      Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2));
  private HttpSchemaRegistryClient client;
  private DeriveApp app;

  @BeforeEach
  void setUp() {
    kafka.createTopic(topics.snapshots(), 3);
    client = HistoryFixture.registryClient(registry.url());
  }

  @AfterEach
  void tearDown() {
    if (app != null) {
      app.close(Duration.ofSeconds(30));
    }
    client.close();
  }

  @Test
  void liveDeadLettersEachBadRecordOnceDerivesTheGoodOnesAndReplaySkipsTheSameRecords()
      throws IOException {
    List<AccountSnapshot> good = HistoryFixture.randomWalk(ACCOUNTS, start, 40, 13);
    int half = good.size() / 2;
    String bootstrap = kafka.bootstrapServers();
    HistoryFixture.produce(bootstrap, registry.url(), topics.snapshots(), good.subList(0, half));
    Instant badAt = good.get(half).getObservedAt();
    byte[] valid = bytesOf(good.get(half));
    byte[] unknownSchemaId =
        ByteBuffer.allocate(7).put((byte) 0).putInt(987_654).put((byte) 2).put((byte) 0).array();
    byte[] badMagic = valid.clone();
    badMagic[0] = 7;
    byte[] truncated = Arrays.copyOf(valid, valid.length - 9);
    byte[] otherAccount = bytesOf(withAccount(good.get(half), "acct-b"));
    byte[] farFuture =
        bytesOf(
            AccountSnapshot.newBuilder(good.get(half))
                .setUpdateTime(Instant.parse("9999-12-31T00:00:00Z"))
                .build());
    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put(RecordFailures.UNKNOWN_SCHEMA_ID, unknownSchemaId);
    bad.put(RecordFailures.NOT_FRAMED, badMagic);
    bad.put(RecordFailures.UNDECODABLE, truncated);
    bad.put(AccountFold.KEY_MISMATCH, otherAccount);
    bad.put(AccountFold.UPDATE_TIME_AHEAD, farFuture);
    bad.values()
        .forEach(
            value ->
                HistoryFixture.produceRaw(bootstrap, topics.snapshots(), "acct-a", badAt, value));
    HistoryFixture.produce(
        bootstrap, registry.url(), topics.snapshots(), good.subList(half, good.size()));

    app = DeriveApp.create(settings(), client, new SimpleMeterRegistry());
    app.start();
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(this::committedToTheEnd);

    Expected expected = expected(good);
    List<AccountStatusTransition> liveTransitions =
        live(topics.statusTransitions(), AccountStatusTransition.class);
    List<UniMmrLevelEvent> liveLevels = live(topics.lowUniMmr(), UniMmrLevelEvent.class);
    assertThat(byAccount(liveTransitions, AccountStatusTransition::getAccountId))
        .isEqualTo(byAccount(expected.transitions, AccountStatusTransition::getAccountId));
    assertThat(byAccount(liveLevels, UniMmrLevelEvent::getAccountId))
        .isEqualTo(byAccount(expected.levels, UniMmrLevelEvent::getAccountId));
    assertThat(expected.levels).hasSizeGreaterThan(5);

    List<ConsumerRecord<byte[], byte[]>> deadLetters = deadLetters();
    assertThat(deadLetters)
        .extracting(r -> header(r, "pm.derive.reason"))
        .containsExactlyInAnyOrderElementsOf(bad.keySet());
    for (ConsumerRecord<byte[], byte[]> letter : deadLetters) {
      assertThat(letter.value())
          .as(header(letter, "pm.derive.reason"))
          .isEqualTo(bad.get(header(letter, "pm.derive.reason")));
      assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("acct-a");
      assertThat(header(letter, "__streams.errors.topic")).isEqualTo(topics.snapshots());
    }
    assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
    assertThat(app.liveness().check().isUp()).isTrue();

    Path out = dir.resolve("replay.avro");
    CliRun run =
        cli(
            connection(
                "replay", "--from", start.toString(), "--to", "now", "--out", out.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<AccountStatusTransition> replayedTransitions =
        EventSinksTest.readSpecific(
            AvroContainerEventSink.transitionsPath(out), AccountStatusTransition.class);
    List<UniMmrLevelEvent> replayedLevels =
        EventSinksTest.readSpecific(
            AvroContainerEventSink.levelEventsPath(out), UniMmrLevelEvent.class);
    assertThat(byAccount(replayedTransitions, AccountStatusTransition::getAccountId))
        .isEqualTo(byAccount(liveTransitions, AccountStatusTransition::getAccountId));
    assertThat(byAccount(replayedLevels, UniMmrLevelEvent::getAccountId))
        .isEqualTo(byAccount(liveLevels, UniMmrLevelEvent::getAccountId));
    String skipped =
        new TreeMap<>(
                deadLetters.stream()
                    .collect(
                        Collectors.groupingBy(
                            r -> header(r, "pm.derive.reason"), Collectors.counting())))
            .toString();
    assertThat(run.err()).contains(deadLetters.size() + " bad records skipped " + skipped);
  }

  private byte[] bytesOf(AccountSnapshot snapshot) {
    try (ConfluentAvroSerializer<AccountSnapshot> serializer =
        new ConfluentAvroSerializer<>(client)) {
      return serializer.serialize(topics.snapshots(), snapshot);
    }
  }

  private static AccountSnapshot withAccount(AccountSnapshot snapshot, String account) {
    return AccountSnapshot.newBuilder(snapshot).setAccountId(account).build();
  }

  private record Expected(
      List<AccountStatusTransition> transitions, List<UniMmrLevelEvent> levels) {}

  /** The plain fold of the good records, in topic order per account. */
  private static Expected expected(List<AccountSnapshot> good) {
    FoldedEvents folded = FoldedEvents.of(good);
    return new Expected(folded.transitions, folded.levelEvents);
  }

  private DeriveApp.Settings settings() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
    flags.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), registry.url());
    topicFlags().forEach(flags::put);
    flags.put(DeriveConfig.APPLICATION_ID.name(), applicationId);
    flags.put(DeriveConfig.STATE_DIR.name(), dir.resolve("state").toString());
    flags.put(DeriveConfig.COMMIT_INTERVAL.name(), "100ms");
    flags.put(DeriveConfig.SESSION_TIMEOUT.name(), "6s");
    // the history is written before the live app first starts, and all of it is compared
    flags.put(DeriveConfig.EMIT_FROM.name(), "all");
    flags.put("kafka.heartbeat.interval.ms", "1000");
    return DeriveApp.Settings.from(new ConfigReader(Settings.ofFlags(flags)));
  }

  private Map<String, String> topicFlags() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    flags.put(Topics.STATUS_TRANSITIONS.name(), topics.statusTransitions());
    flags.put(Topics.LOW_UNIMMR.name(), topics.lowUniMmr());
    flags.put(Topics.LATEST.name(), topics.latest());
    flags.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    flags.put(Topics.DERIVE_DEAD_LETTER.name(), topics.deriveDeadLetter());
    return flags;
  }

  private String[] connection(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--schema-registry-url",
            registry.url()));
    topicFlags().forEach((key, value) -> all.addAll(List.of("--set", key + "=" + value)));
    return all.toArray(String[]::new);
  }

  private boolean committedToTheEnd() throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
      for (int p = 0; p < 3; p++) {
        latest.put(new TopicPartition(topics.snapshots(), p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get().entrySet().stream()
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

  /** Every committed record of the derive dead-letter topic, as bytes. */
  private List<ConsumerRecord<byte[], byte[]>> deadLetters() {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    String topic = topics.deriveDeadLetter();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end " + end);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static <T> Map<String, List<T>> byAccount(List<T> records, Function<T, String> account) {
    Map<String, List<T>> grouped = new TreeMap<>();
    for (T record : records) {
      grouped.computeIfAbsent(account.apply(record), a -> new ArrayList<>()).add(record);
    }
    return grouped;
  }
}
