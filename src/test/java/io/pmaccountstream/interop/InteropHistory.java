package io.pmaccountstream.interop;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.RiskLevelChange;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.poller.DeadLetter;
import io.pmaccountstream.poller.RiskLevelChangePublisher;
import io.pmaccountstream.serde.ConfluentAvroSerializer;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryClientConfig;
import io.pmaccountstream.streams.DeriveApp;
import io.pmaccountstream.streams.DeriveConfig;
import io.pmaccountstream.testing.FoldedEvents;
import io.pmaccountstream.testing.TestSnapshots;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A small fixed story of three accounts for the interop ITs, published through our own code: the
 * snapshots with our {@link ConfluentAvroSerializer} (as the poller does), then the derived topics
 * by the real derive app (Kafka Streams on the real broker, our serde, the real registry). The
 * expected derived records come from the plain fold ({@link FoldedEvents}), the one the topology
 * runs.
 *
 * <p>Times are minutes after {@link #start}, 90 minutes before the wall clock, so that "the last
 * hour" of a query splits the story, and the broker's retention keeps every record.
 *
 * <ul>
 *   <li>{@value #STEERED}: NORMAL 2 → MARGIN_CALL 1.4 → REDUCE_ONLY 1.15 (min 20) → MARGIN_CALL
 *       1.30 (min 35, recovers 1.2) → null uniMMR (min 40) → REDUCE_ONLY 1.10 (min 60) →
 *       FORCE_LIQUIDATION 1.00 → REDUCE_ONLY 1.18 (min 80), then a stale snapshot (min 85).
 *   <li>{@value #RECOVERED}: REDUCE_ONLY 1.1 on its first observation (min 0) → NORMAL 1.6 (min
 *       50).
 *   <li>{@value #CALM}: NORMAL, never below 1.5, with decimals that use all 8 places and 24 integer
 *       digits.
 * </ul>
 *
 * <p>The push topic holds {@value #STEERED}'s riskLevelChange events at minutes 10, 20 and 70 and
 * one of {@value #RECOVERED} without a uniMMR, published by the poller's own {@link
 * RiskLevelChangePublisher}.
 */
final class InteropHistory {

  static final String STEERED = "acct-steered";
  static final String RECOVERED = "acct-recovered";
  static final String CALM = "acct-calm";

  final Instant start;
  final Topics topics;
  final List<AccountSnapshot> snapshots = new ArrayList<>();
  final List<AccountStatusTransition> transitions = new ArrayList<>();
  final List<UniMmrLevelEvent> levelEvents = new ArrayList<>();

  /** Every accepted snapshot, in order: what the derive app writes to the latest topic. */
  final List<AccountSnapshot> accepted = new ArrayList<>();

  /** The user-data stream's riskLevelChange events, as the poller publishes them. */
  final List<RiskLevelChange> riskLevelChanges = new ArrayList<>();

  private InteropHistory(Instant start, Topics topics) {
    this.start = start;
    this.topics = topics;
  }

  static InteropHistory create() {
    Instant start =
        Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(90)).plusMillis(123);
    Topics topics =
        Topics.defaults()
            .withPrefix("it-interop-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    InteropHistory history = new InteropHistory(start, topics);
    history.story();
    history.pushes();
    history.derive();
    return history;
  }

  Instant at(long minutes) {
    return start.plus(Duration.ofMinutes(minutes));
  }

  private void story() {
    steered(0, "2", AccountStatus.NORMAL);
    recovered(0, "1.1", AccountStatus.REDUCE_ONLY);
    calm(0, "3.12345678", "123456789012345678901234.12345678");
    steered(10, "1.4", AccountStatus.MARGIN_CALL);
    steered(20, "1.15", AccountStatus.REDUCE_ONLY);
    calm(30, "2.50000001", "0.00000001");
    steered(35, "1.30", AccountStatus.MARGIN_CALL);
    steered(40, null, AccountStatus.MARGIN_CALL);
    recovered(50, "1.6", AccountStatus.NORMAL);
    steered(60, "1.10", AccountStatus.REDUCE_ONLY);
    steered(70, "1.00", AccountStatus.FORCE_LIQUIDATION);
    steered(80, "1.18", AccountStatus.REDUCE_ONLY);
    // Stale: Binance's updateTime is older than the last accepted one. Exported, never derived.
    snapshots.add(
        snapshot(STEERED, "1.90", AccountStatus.NORMAL, "10000", at(85), at(75), sequence()));
  }

  private void pushes() {
    riskLevelChanges.add(push(RECOVERED, 0, "REDUCE_ONLY", null, "2500.5"));
    riskLevelChanges.add(push(STEERED, 10, "MARGIN_CALL", "1.4", "10000"));
    riskLevelChanges.add(push(STEERED, 20, "REDUCE_ONLY", "1.15", "10000"));
    riskLevelChanges.add(push(STEERED, 70, "FORCE_LIQUIDATION", "1.00000001", "10000"));
  }

  /** A riskLevelChange Binance pushed 300 ms before the account's poll observed the same state. */
  private RiskLevelChange push(
      String account, long minute, String riskLevel, String uniMmr, String equity) {
    Instant eventTime = at(minute).minusMillis(300);
    return RiskLevelChange.newBuilder()
        .setAccountId(account)
        .setEventTime(eventTime)
        .setRiskLevel(riskLevel)
        .setUniMMR(uniMmr == null ? null : scaled(uniMmr))
        .setAccountEquity(scaled(equity))
        .setActualEquity(scaled(equity).subtract(scaled("0.5")))
        .setMaintMargin(scaled("6000.12345678"))
        .setReceivedAt(eventTime.plusMillis(35))
        .setPollerInstanceId("interop-poller@1")
        .build();
  }

  private long sequence() {
    return snapshots.size() + 1;
  }

  private void steered(long minute, String uniMmr, AccountStatus status) {
    Instant observed = at(minute);
    snapshots.add(
        snapshot(
            STEERED, uniMmr, status, "10000", observed, observed.minusMillis(400), sequence()));
  }

  private void recovered(long minute, String uniMmr, AccountStatus status) {
    Instant observed = at(minute).plusMillis(1);
    snapshots.add(
        snapshot(
            RECOVERED, uniMmr, status, "2500.5", observed, observed.minusMillis(400), sequence()));
  }

  private void calm(long minute, String uniMmr, String equity) {
    Instant observed = at(minute).plusMillis(2);
    snapshots.add(
        snapshot(
            CALM,
            uniMmr,
            AccountStatus.NORMAL,
            equity,
            observed,
            observed.minusMillis(400),
            sequence()));
  }

  private static AccountSnapshot snapshot(
      String account,
      String uniMmr,
      AccountStatus status,
      String equity,
      Instant observedAt,
      Instant updateTime,
      long sequence) {
    AccountSnapshot s =
        TestSnapshots.of(account).uniMmr(uniMmr).status(status).equity(equity).atMillis(0);
    s.setObservedAt(observedAt);
    s.setUpdateTime(updateTime);
    s.setSequence(sequence);
    s.setTotalAvailableBalance(scaled("1234.5"));
    return s;
  }

  private static BigDecimal scaled(String value) {
    return new BigDecimal(value).setScale(8, RoundingMode.UNNECESSARY);
  }

  /** The expected derived topics: the one fold the topology runs, over the published order. */
  private void derive() {
    FoldedEvents folded = FoldedEvents.of(snapshots);
    transitions.addAll(folded.transitions);
    levelEvents.addAll(folded.levelEvents);
    accepted.addAll(folded.accepted);
  }

  /** The last accepted snapshot of each account: what the compacted latest topic stands for. */
  Map<String, AccountSnapshot> latest() {
    Map<String, AccountSnapshot> latest = new LinkedHashMap<>();
    accepted.forEach(s -> latest.put(s.getAccountId(), s));
    return latest;
  }

  /**
   * Publishes the snapshots and runs the derive app until every derived topic holds what it must;
   * the app is closed before this returns.
   */
  void publish(String bootstrap, String registryUrl, Admin admin, Path stateDir) throws Exception {
    admin
        .createTopics(
            List.of(
                new NewTopic(topics.snapshots(), Optional.of(2), Optional.empty()),
                new NewTopic(topics.riskLevelChanges(), Optional.of(2), Optional.empty())))
        .all()
        .get();
    publishPushes(bootstrap, registryUrl);
    try (HttpSchemaRegistryClient client =
            new HttpSchemaRegistryClient(SchemaRegistryClientConfig.of(URI.create(registryUrl)));
        KafkaProducer<String, AccountSnapshot> producer =
            producer(bootstrap, new ConfluentAvroSerializer<AccountSnapshot>(client))) {
      for (AccountSnapshot s : snapshots) {
        producer.send(
            new ProducerRecord<>(
                topics.snapshots(), null, s.getObservedAt().toEpochMilli(), s.getAccountId(), s));
      }
      producer.flush();
    }
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), bootstrap);
    flags.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), registryUrl);
    flags.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    flags.put(Topics.STATUS_TRANSITIONS.name(), topics.statusTransitions());
    flags.put(Topics.LOW_UNIMMR.name(), topics.lowUniMmr());
    flags.put(Topics.LATEST.name(), topics.latest());
    flags.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    flags.put(DeriveConfig.APPLICATION_ID.name(), "it-interop-" + UUID.randomUUID());
    flags.put(DeriveConfig.STATE_DIR.name(), stateDir.toString());
    flags.put(DeriveConfig.COMMIT_INTERVAL.name(), "100ms");
    flags.put(DeriveConfig.SESSION_TIMEOUT.name(), "6s");
    // the history is written before the live app first starts, and all of it is compared
    flags.put(DeriveConfig.EMIT_FROM.name(), "all");
    flags.put("kafka.heartbeat.interval.ms", "1000");
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));
    DeriveApp.Settings settings = DeriveApp.Settings.from(reader);
    reader.throwIfProblems();
    try (HttpSchemaRegistryClient client = HttpSchemaRegistryClient.from(settings.connection());
        DeriveApp derive = DeriveApp.create(settings, client, new SimpleMeterRegistry())) {
      derive.start();
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  committedRecords(bootstrap, topics.statusTransitions()) == transitions.size()
                      && committedRecords(bootstrap, topics.lowUniMmr()) == levelEvents.size()
                      && committedRecords(bootstrap, topics.latest()) == accepted.size());
    }
  }

  /** Through the poller's publisher, its producer settings aside; fails on any dead letter. */
  private void publishPushes(String bootstrap, String registryUrl) {
    List<DeadLetter> refused = new CopyOnWriteArrayList<>();
    try (HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(SchemaRegistryClientConfig.of(URI.create(registryUrl)))) {
      RiskLevelChangePublisher publisher =
          new RiskLevelChangePublisher(
              producer(bootstrap, new ConfluentAvroSerializer<RiskLevelChange>(client)),
              topics.riskLevelChanges(),
              Duration.ofMillis(100),
              refused::add,
              "interop-poller@1",
              new SimpleMeterRegistry(),
              Clock.systemUTC());
      riskLevelChanges.forEach(publisher::offer);
      int unsent = publisher.close(Duration.ofSeconds(30));
      if (unsent > 0 || !refused.isEmpty()) {
        throw new IllegalStateException(
            "riskLevelChanges not published: " + unsent + " unsent, dead letters " + refused);
      }
    }
  }

  /** An idempotent producer of string keys, as the poller's are. */
  private static <V> KafkaProducer<String, V> producer(String bootstrap, Serializer<V> values) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.ACKS_CONFIG,
            "all"),
        new StringSerializer(),
        values);
  }

  /** The records a read_committed consumer sees in the topic now (0 if it does not exist). */
  static long committedRecords(String bootstrap, String topic) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      if (partitions.isEmpty()) {
        return 0;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long count = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(topic + ": end offsets " + end + " not reached");
        }
        count += consumer.poll(Duration.ofMillis(200)).count();
      }
      return count;
    }
  }
}
