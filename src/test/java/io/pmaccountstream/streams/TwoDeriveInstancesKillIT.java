package io.pmaccountstream.streams;

import static io.pmaccountstream.streams.DeriveItSupport.readAll;
import static io.pmaccountstream.streams.DeriveItSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.streams.DeriveItSupport.Outputs;
import io.pmaccountstream.testing.AppProcess;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code derive} instances of one application id, each in a JVM of its own, configured as
 * {@code k8s/app/pm.properties} ships them (static members named like the StatefulSet's pods, a 30
 * s session, one standby replica), share a 6-partition snapshot topic that a driver keeps writing
 * to with the real serde. One instance is killed ({@code kill -9}) while it owns active tasks and
 * holds an open transaction with derived records in it. The survivor takes its tasks over; at the
 * end, the outputs read {@code read_committed} are exactly the plain derivation ({@code
 * AccountFold}) of the snapshot topic as it is: per account, the same events with the same event
 * ids in the same order, none twice.
 *
 * <p>The killed instance commits every 5 s instead of every 100 ms, so that its transaction is
 * open, with records in it, for most of each interval: that makes "killed with uncommitted work" an
 * observed fact of the run (checked before the kill and again from the aborted records at the end),
 * not a matter of luck. Everything else is the shipped configuration.
 */
class TwoDeriveInstancesKillIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final int PARTITIONS = 6;
  private static final List<String> ACCOUNTS = accounts(18);
  private static final Duration STEP = Duration.ofMillis(200);
  private static final String VICTIM = "pm-account-stream-derive-0";
  private static final String SURVIVOR = "pm-account-stream-derive-1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration TAKE_OVER_TIMEOUT = Duration.ofSeconds(120);

  @TempDir Path work;

  private final Topics topics = DeriveItSupport.uniqueTopics();
  private final String applicationId = "it-two-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<AppProcess> instances = new ArrayList<>();
  private HttpSchemaRegistryClient client;
  private DerivationSerdes serdes;
  private Admin admin;
  private Driver driver;

  @BeforeEach
  void setUp() {
    kafka.createTopic(topics.snapshots(), PARTITIONS);
    client = HttpSchemaRegistryClient.from(settings().connection());
    serdes = DerivationSerdes.create(client);
    admin = Admin.create(kafka.clientConfig());
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (driver != null) {
        driver.stop();
      }
    } finally {
      for (AppProcess instance : instances) {
        instance.close();
      }
      admin.close(Duration.ofSeconds(5));
      client.close();
    }
  }

  @Test
  void theSurvivorTakesOverAKilledInstanceAndTheOutputsStayExact() throws Exception {
    List<AccountSnapshot> input =
        DeriveItSupport.path(ACCOUNTS, 3_000, 21, DeriveItSupport.recentSecond());
    driver = new Driver(input);
    // the first steps register the snapshot schema before any derive instance starts
    driver.produceSteps(10);
    driver.start();

    // a StatefulSet starts its pods one after the other (OrderedReady)
    AppProcess victim = startInstance(VICTIM, Map.of(DeriveConfig.COMMIT_INTERVAL.name(), "5s"));
    awaitReady(victim);
    AppProcess survivor = startInstance(SURVIVOR, Map.of());
    awaitReady(survivor);
    Map<String, Set<Integer>> active = awaitBothRunningWithActiveTasks(victim, survivor);
    Set<Integer> victimPartitions = withAccounts(active.get(VICTIM));
    assertThat(victimPartitions)
        .as("snapshot partitions with accounts among the victim's active tasks %s", active)
        .isNotEmpty();

    awaitOpenTransaction(victimPartitions);
    long killedNanos = System.nanoTime();
    victim.kill();
    int stepsAtKill = driver.steps();
    Map<TopicPartition, Long> committedAtKill = latestEnd(victimPartitions, true);

    Duration takeOver = awaitCommittedByTheSurvivor(committedAtKill, killedNanos);
    System.out.printf(
        "two derive instances: %s killed with an open transaction on partitions %s; %s committed"
            + " derived records on every one of them %d ms after the kill (static members,"
            + " session timeout 30s, 1 standby replica)%n",
        VICTIM, victimPartitions, SURVIVOR, takeOver.toMillis());
    assertThat(takeOver).as("kill to the survivor's first commit").isLessThan(TAKE_OVER_TIMEOUT);

    // the input keeps coming for a while after the take-over, then stops
    int stepsAtTakeOver = driver.steps();
    await().atMost(Duration.ofSeconds(60)).until(() -> driver.steps() >= stepsAtTakeOver + 25);
    driver.stop();
    assertThat(stepsAtKill).as("input steps written before the kill").isGreaterThan(10);
    awaitAllInputCommitted();

    assertThat(activeTasks())
        .as("active tasks after the take-over")
        .containsOnlyKeys(SURVIVOR)
        .containsEntry(SURVIVOR, partitions(PARTITIONS));
    assertThat(survivor.live().status()).as("survivor /health/live").isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(survivor.ready().status()).as("survivor /health/ready").isEqualTo(200));
    assertThat(victim.isAlive()).isFalse();
    assertThat(victim.live().status()).as("nothing answers for the killed instance").isZero();

    assertOutputsAreThePlainDerivationOfTheInput();
    assertThat(records(victimPartitions, false))
        .as("latest records on the victim's partitions, including its aborted transaction")
        .isGreaterThan(records(victimPartitions, true));
  }

  private void assertOutputsAreThePlainDerivationOfTheInput() {
    List<AccountSnapshot> snapshots =
        values(readAll(kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), true))
            .stream()
            .map(AccountSnapshot.class::cast)
            .toList();
    assertThat(snapshots).as("snapshots on the topic").hasSize(driver.produced());
    Outputs expected = DeriveItSupport.expected(snapshots, DerivationConfig.defaults());
    assertThat(expected.transitions).as("transitions the fold expects").hasSizeGreaterThan(50);
    assertThat(expected.levelEvents).as("level events the fold expects").hasSizeGreaterThan(50);

    List<ConsumerRecord<String, AccountStatusTransition>> transitions =
        readAll(kafka.bootstrapServers(), topics.statusTransitions(), serdes.transition(), true);
    List<ConsumerRecord<String, UniMmrLevelEvent>> levels =
        readAll(kafka.bootstrapServers(), topics.lowUniMmr(), serdes.levelEvent(), true);
    List<ConsumerRecord<String, AccountSnapshot>> latest =
        readAll(kafka.bootstrapServers(), topics.latest(), serdes.snapshot(), true);
    assertThat(transitions.stream().map(r -> r.value().getEventId()))
        .as("transition event ids")
        .doesNotHaveDuplicates();
    assertThat(levels.stream().map(r -> r.value().getEventId()))
        .as("level event ids")
        .doesNotHaveDuplicates();
    assertThat(Outputs.byAccount(values(transitions)))
        .as("status transitions per account, read_committed")
        .isEqualTo(Outputs.byAccount(expected.transitions));
    assertThat(Outputs.byAccount(values(levels)))
        .as("uniMMR level events per account, read_committed")
        .isEqualTo(Outputs.byAccount(expected.levelEvents));
    assertThat(DeriveItSupport.isCompactionOf(values(latest), expected.latest))
        .as(
            "latest holds, per account, expected snapshots in order, each once, ending with the last")
        .isTrue();
  }

  /**
   * Both members have joined, each has active tasks (snapshot partitions) and answers ready (a
   * rebalance in progress answers 503).
   */
  private Map<String, Set<Integer>> awaitBothRunningWithActiveTasks(
      AppProcess victim, AppProcess survivor) {
    Map<String, Set<Integer>> seen = new HashMap<>();
    await()
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              Map<String, Set<Integer>> now = activeTasks();
              assertThat(now).as("active tasks per instance").containsOnlyKeys(VICTIM, SURVIVOR);
              assertThat(now.values()).allSatisfy(p -> assertThat(p).isNotEmpty());
              assertThat(victim.ready().status()).as("victim /health/ready").isEqualTo(200);
              assertThat(survivor.ready().status()).as("survivor /health/ready").isEqualTo(200);
              seen.putAll(now);
            });
    return seen;
  }

  /**
   * The snapshot partitions each static member of the group consumes (its active tasks; standby
   * tasks consume the changelog, outside the group's assignment).
   */
  private Map<String, Set<Integer>> activeTasks() throws Exception {
    ConsumerGroupDescription group =
        admin
            .describeConsumerGroups(List.of(applicationId))
            .all()
            .get(30, TimeUnit.SECONDS)
            .get(applicationId);
    Map<String, Set<Integer>> byInstance = new HashMap<>();
    for (MemberDescription member : group.members()) {
      String instance = member.groupInstanceId().orElse(member.consumerId());
      // Kafka Streams suffixes the instance id with the stream thread's index
      String name =
          instance.startsWith(VICTIM)
              ? VICTIM
              : instance.startsWith(SURVIVOR) ? SURVIVOR : instance;
      Set<Integer> partitions = byInstance.computeIfAbsent(name, n -> new TreeSet<>());
      member.assignment().topicPartitions().stream()
          .filter(tp -> tp.topic().equals(topics.snapshots()))
          .forEach(tp -> partitions.add(tp.partition()));
    }
    return byInstance;
  }

  /**
   * Waits until a young transaction of the victim holds derived records on its partitions: their
   * last stable offset (read_committed end) moved less than a second ago, so the victim has just
   * committed and has seconds of its 5 s interval left, and their high watermark (read_uncommitted
   * end) is past it already. Killing then hits an open transaction, not one about to commit.
   */
  private void awaitOpenTransaction(Set<Integer> victimPartitions) {
    long[] lastStable = {-1};
    long[] movedAt = {0};
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              long stable = sum(latestEnd(victimPartitions, true));
              long written = sum(latestEnd(victimPartitions, false));
              long now = System.nanoTime();
              if (lastStable[0] >= 0 && stable > lastStable[0]) {
                movedAt[0] = now;
              }
              lastStable[0] = stable;
              boolean young = movedAt[0] != 0 && now - movedAt[0] < 1_000_000_000L;
              return young && written > stable;
            });
  }

  private static long sum(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Reads the victim's partitions of the latest topic read_committed from where they stood at the
   * kill, until each shows a committed record: only the survivor commits after the kill (the
   * victim's open transaction is aborted by the coordinator), and every accepted snapshot writes
   * one latest record. Returns the time since the kill.
   */
  private Duration awaitCommittedByTheSurvivor(Map<TopicPartition, Long> from, long killedNanos) {
    Map<String, Object> config = new HashMap<>(kafka.clientConfig());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Set<TopicPartition> waiting = new java.util.HashSet<>(from.keySet());
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(from.keySet());
      from.forEach(consumer::seek);
      long deadline = killedNanos + TAKE_OVER_TIMEOUT.toNanos();
      while (!waiting.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(r -> waiting.remove(partition(r)));
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - killedNanos);
    assertThat(waiting)
        .as("victim partitions without a committed record %s after the kill", elapsed)
        .isEmpty();
    return elapsed;
  }

  private static TopicPartition partition(ConsumerRecord<?, ?> record) {
    return new TopicPartition(record.topic(), record.partition());
  }

  /** The group has committed every snapshot written: the survivor derived the whole input. */
  private void awaitAllInputCommitted() {
    await()
        .atMost(DeriveItSupport.OUTPUT_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              Map<TopicPartition, OffsetAndMetadata> committed =
                  admin
                      .listConsumerGroupOffsets(applicationId)
                      .partitionsToOffsetAndMetadata()
                      .get(30, TimeUnit.SECONDS);
              Map<TopicPartition, Long> end = end(topics.snapshots(), partitions(PARTITIONS), true);
              Map<TopicPartition, Long> done = new HashMap<>();
              end.keySet()
                  .forEach(
                      tp ->
                          done.put(
                              tp, committed.get(tp) == null ? 0L : committed.get(tp).offset()));
              assertThat(done).as("input offsets committed by the group").isEqualTo(end);
            });
  }

  private Map<TopicPartition, Long> latestEnd(Set<Integer> partitions, boolean committedOnly) {
    return end(topics.latest(), partitions, committedOnly);
  }

  private Map<TopicPartition, Long> end(
      String topic, Set<Integer> partitions, boolean committedOnly) {
    Map<String, Object> config = new HashMap<>(kafka.clientConfig());
    config.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        committedOnly ? "read_committed" : "read_uncommitted");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      return consumer.endOffsets(
          partitions.stream().map(p -> new TopicPartition(topic, p)).toList(),
          Duration.ofSeconds(10));
    }
  }

  /** Data records of the latest topic on these partitions, with the given isolation. */
  private long records(Set<Integer> partitions, boolean committedOnly) {
    return readAll(
            kafka.bootstrapServers(),
            topics.latest(),
            new org.apache.kafka.common.serialization.Serdes.ByteArraySerde(),
            committedOnly)
        .stream()
        .filter(r -> partitions.contains(r.partition()))
        .count();
  }

  /** Those of {@code partitions} that some account maps to (the producer's default partitioner). */
  private static Set<Integer> withAccounts(Set<Integer> partitions) {
    return ACCOUNTS.stream()
        .map(a -> Utils.toPositive(Utils.murmur2(a.getBytes(StandardCharsets.UTF_8))) % PARTITIONS)
        .filter(partitions::contains)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<Integer> partitions(int count) {
    Set<Integer> all = new TreeSet<>();
    for (int p = 0; p < count; p++) {
      all.add(p);
    }
    return all;
  }

  private AppProcess startInstance(String name, Map<String, String> extra) throws Exception {
    Map<String, String> config = new HashMap<>(shipped(name));
    config.putAll(extra);
    AppProcess instance =
        AppProcess.start(
            name,
            "derive",
            config,
            // logs stay in target/ after the run, for diagnosis
            Path.of("target", "it-logs", applicationId),
            List.of("-Xmx256m"));
    instances.add(instance);
    return instance;
  }

  /** The derive settings of {@code k8s/app/pm.properties}, on this broker, registry and topics. */
  private Map<String, String> shipped(String instanceId) {
    Map<String, String> flags =
        DeriveItSupport.flags(
            kafka.bootstrapServers(),
            registry.url(),
            topics,
            applicationId,
            work.resolve(instanceId).resolve("state"));
    flags.remove("kafka.heartbeat.interval.ms");
    flags.remove(DeriveConfig.METRICS_REFRESH.name());
    flags.remove(DeriveConfig.COMMIT_INTERVAL.name());
    flags.put(DeriveConfig.SESSION_TIMEOUT.name(), "30s");
    flags.put(DeriveConfig.INSTANCE_ID.name(), instanceId);
    flags.put("kafka.num.standby.replicas", "1");
    return flags;
  }

  private DeriveApp.Settings settings() {
    return DeriveItSupport.settings(
        DeriveItSupport.flags(
            kafka.bootstrapServers(),
            registry.url(),
            topics,
            applicationId,
            work.resolve("unused")));
  }

  private void awaitReady(AppProcess instance) {
    await()
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .failFast(() -> !instance.isAlive())
        .untilAsserted(
            () ->
                assertThat(instance.ready().status())
                    .as("%s /health/ready; log:%n%s", instance.name(), instance.logTail(30))
                    .isEqualTo(200));
  }

  private static List<String> accounts(int count) {
    List<String> accounts = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      accounts.add(String.format("acct-%02d", i));
    }
    return accounts;
  }

  /**
   * Writes the input one step (a snapshot of every account) every {@link #STEP}, with the real
   * serde and an idempotent producer, on a thread of its own until stopped.
   */
  private final class Driver {
    private final List<AccountSnapshot> input;
    private final KafkaProducer<String, AccountSnapshot> producer;
    private final AtomicInteger steps = new AtomicInteger();
    private final Thread thread = new Thread(this::run, "snapshot-driver");
    private volatile boolean running = true;
    private int next;

    Driver(List<AccountSnapshot> input) {
      this.input = input;
      Map<String, Object> config = new HashMap<>(kafka.clientConfig());
      config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      this.producer =
          new KafkaProducer<>(config, new StringSerializer(), serdes.snapshot().serializer());
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    /** Writes {@code count} steps now, on the calling thread (before {@link #start()}). */
    void produceSteps(int count) {
      for (int i = 0; i < count; i++) {
        step();
      }
    }

    private void run() {
      while (running && next < input.size()) {
        step();
        try {
          Thread.sleep(STEP.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    private void step() {
      for (int i = 0; i < ACCOUNTS.size() && next < input.size(); i++) {
        AccountSnapshot s = input.get(next++);
        producer.send(
            new ProducerRecord<>(
                topics.snapshots(), null, s.getObservedAt().toEpochMilli(), s.getAccountId(), s));
      }
      producer.flush();
      steps.incrementAndGet();
    }

    int steps() {
      return steps.get();
    }

    int produced() {
      return next;
    }

    /** Stops writing, waits for the thread and closes the producer (every send flushed). */
    void stop() throws InterruptedException {
      if (!running) {
        return;
      }
      running = false;
      thread.join(30_000);
      producer.close(Duration.ofSeconds(10));
    }
  }
}
