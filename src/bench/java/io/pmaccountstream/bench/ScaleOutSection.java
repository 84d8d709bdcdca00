package io.pmaccountstream.bench;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.RequestStats;
import io.pmaccountstream.streams.DerivationSerdes;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Scale-out (docs/scale-out.md): (a) poller take-over after a {@code kill -9} of one of 3 pollers
 * in a group with the shipped group defaults, from the kill to each moved account's first snapshot
 * by a survivor; (b) CPU and memory per poller instance with the accounts spread over 1, 2 and 4
 * instances of one group, against the simulator (weight budget raised); (c) derive take-over after
 * a {@code kill -9} of one of 2 instances configured as {@code k8s/app/pm.properties} ships them.
 * Every poller and derive instance is a {@code pm-account-stream poll|derive} process of its own
 * ({@link ScaleOutInstance}); the simulator runs in the benchmark JVM.
 */
final class ScaleOutSection implements Section {

  static final String ID = "scale";
  private static final String PREFIX = "pmas-bench.scale-out.";
  private static final int WEIGHT_LIMIT = 100_000_000;
  private static final List<String> JVM = List.of("-Xmx256m");
  private static final int TAKE_OVER_ACCOUNTS = 300;
  private static final int[] INSTANCE_COUNTS = {1, 2, 4};
  private static final int DERIVE_PARTITIONS = 6;
  private static final int DERIVE_ACCOUNTS = 60;
  private static final Duration DERIVE_STEP = Duration.ofMillis(200);
  private static final Duration STEADY_TIMEOUT = Duration.ofSeconds(180);

  private final List<String> table = new ArrayList<>();

  @Override
  public String id() {
    return ID;
  }

  /** About six minutes of child JVMs: run on its own, {@code bin/bench --sections scale}. */
  @Override
  public boolean inDefaultSuite() {
    return false;
  }

  @Override
  public String title() {
    return "scale-out";
  }

  @Override
  public java.util.Optional<String> unavailable(BenchContext context) {
    return context.schemaRegistryUrl().isEmpty()
        ? java.util.Optional.of("needs --schema-registry-url")
        : java.util.Optional.empty();
  }

  @Override
  public void run(BenchContext context) throws Exception {
    String run = Long.toString(System.currentTimeMillis(), 36);
    context.report().setting(ID, "pollerJvm", String.join(" ", JVM) + ", one child JVM each");
    context.report().setting(ID, "deriveJvm", String.join(" ", JVM) + ", one child JVM each");
    try (HttpSchemaRegistryClient registry =
        HttpSchemaRegistryClient.from(context.kafkaConnection())) {
      pollerTakeOver(context, registry, run);
      Duration window = window(context.scale());
      for (int instances : INSTANCE_COUNTS) {
        perInstanceCost(context, instances, window, run);
      }
      deriveTakeOver(context, registry, run);
    } finally {
      System.out.println();
      System.out.println("scale-out (section " + ID + ")");
      table.forEach(System.out::println);
    }
  }

  private static Duration window(Scale scale) {
    long seconds = Math.max(10, Math.min(30, scale.pollerWindow().toSeconds()));
    return Duration.ofSeconds(seconds);
  }

  // ---- (a) poller take-over -----------------------------------------------------------------

  private void pollerTakeOver(BenchContext context, HttpSchemaRegistryClient registry, String run)
      throws Exception {
    Report report = context.report();
    String topic = PREFIX + "takeover.snapshots";
    String group = "pmas-bench-scale-out-takeover-" + run;
    context.recreateTopics(Set.of(topic));
    report.setting(ID, "takeOverAccounts", TAKE_OVER_ACCOUNTS);
    report.setting(
        ID,
        "takeOverPollerSettings",
        "shipped defaults (poll.interval 5s, jitter 0.1, group session 6s, heartbeat 2s) but"
            + " poll.emit=every-poll (a snapshot per poll, so each one shows who polled) and the"
            + " weight budget raised");
    // closed in reverse order: the pollers stop before the simulator they poll
    try (BinancePmSimulator simulator = simulator(TAKE_OVER_ACCOUNTS, 7);
        Instances pollers = new Instances();
        SnapshotWatcher watcher = new SnapshotWatcher(context, registry, topic)) {
      Map<String, String> base = pollerSettings(context, simulator, topic, group);
      base.put("poll.emit", "every-poll");
      // the first instance registers the value schema before the others send
      pollers.add(startPoller(context, base, "takeover-1"));
      awaitCondition("a first snapshot", Duration.ofSeconds(90), () -> watcher.count() > 0);
      pollers.add(startPoller(context, base, "takeover-2"));
      pollers.add(startPoller(context, base, "takeover-3"));
      awaitShared(pollers, TAKE_OVER_ACCOUNTS);
      Instant settled = Instant.now();
      awaitCondition(
          "a snapshot of every account after the group settled",
          Duration.ofSeconds(60),
          () -> watcher.accountsSeenSince(settled) == TAKE_OVER_ACCOUNTS);
      Set<String> moved = watcher.accountsLastPolledBy("takeover-1");

      Instant killedAt = Instant.now();
      pollers.get(0).kill();
      awaitCondition(
          "every account of the killed poller polled by a survivor",
          Duration.ofSeconds(120),
          () -> watcher.firstByOthersSince(moved, killedAt, "takeover-1").size() == moved.size());
      Latencies takeOver = new Latencies();
      watcher
          .firstByOthersSince(moved, killedAt, "takeover-1")
          .values()
          .forEach(at -> takeOver.add(Duration.between(killedAt, at).toNanos() / 1000));
      report.figure(ID, "poller take-over: accounts moved", moved.size(), "accounts");
      report.figure(
          ID,
          "poller take-over p50",
          takeOver.percentileMillis(50) / 1000,
          "s",
          Report.Target.atMost(15),
          "kill -9 of 1 of 3 -> first snapshot by a survivor");
      report.figure(
          ID,
          "poller take-over max",
          takeOver.maxMillis() / 1000,
          "s",
          Report.Target.atMost(15),
          "issue 15: within 15 s");
      table.add(
          String.format(
              Locale.ROOT,
              "poller take-over (kill -9 of 1 of 3, %d accounts, %d moved): p50 %.1f s, max %.1f s",
              TAKE_OVER_ACCOUNTS,
              moved.size(),
              takeOver.percentileMillis(50) / 1000,
              takeOver.maxMillis() / 1000));
    } finally {
      context.deleteTopics(Set.of(topic, topic + ".dlq", group + "-assignment"));
    }
  }

  // ---- (b) CPU and memory per instance -------------------------------------------------------

  private void perInstanceCost(BenchContext context, int instances, Duration window, String run)
      throws Exception {
    Report report = context.report();
    int accounts = context.scale().pollerAccounts();
    String topic = PREFIX + "cost.snapshots";
    String group = "pmas-bench-scale-out-cost" + instances + "-" + run;
    Duration warmUp = Duration.ofSeconds(15);
    context.recreateTopics(Set.of(topic));
    report.setting(ID, "costAccounts", accounts);
    report.setting(ID, "costWarmUpSeconds", warmUp.toSeconds());
    report.setting(ID, "costWindowSeconds", window.toSeconds());
    report.setting(
        ID,
        "costPollerSettings",
        "shipped defaults (poll.interval 5s, emit=changes, jitter 0.1) in a group, weight budget"
            + " raised");
    try (BinancePmSimulator simulator = simulator(accounts, 5);
        Instances pollers = new Instances()) {
      Map<String, String> base = pollerSettings(context, simulator, topic, group);
      pollers.add(startPoller(context, base, "cost" + instances + "-1"));
      awaitCondition(
          "a first snapshot", Duration.ofSeconds(90), () -> endOffset(context, topic) > 0);
      for (int i = 2; i <= instances; i++) {
        pollers.add(startPoller(context, base, "cost" + instances + "-" + i));
      }
      awaitShared(pollers, accounts);
      Thread.sleep(warmUp.toMillis());
      awaitShared(pollers, accounts);

      RequestStats stats = simulator.stats();
      double requestsBefore = stats.count(RequestStats.ACCOUNT);
      List<Duration> cpuBefore = pollers.stream().map(ScaleOutInstance::cpuTime).toList();
      long start = System.nanoTime();
      Thread.sleep(window.toMillis());
      List<Duration> cpuAfter = pollers.stream().map(ScaleOutInstance::cpuTime).toList();
      double seconds = (System.nanoTime() - start) / 1e9;
      double requestsPerSecond = (stats.count(RequestStats.ACCOUNT) - requestsBefore) / seconds;

      double cpuSum = 0;
      double cpuMax = 0;
      double heapMax = 0;
      double heapSum = 0;
      double rssMax = 0;
      List<String> owned = new ArrayList<>();
      for (int i = 0; i < pollers.size(); i++) {
        ScaleOutInstance p = pollers.get(i);
        double cpuPerMinute =
            (cpuAfter.get(i).toNanos() - cpuBefore.get(i).toNanos()) / 1e9 / seconds * 60;
        double heap = p.heapUsedAfterGcBytes() / (1024.0 * 1024);
        double rss = p.peakRssBytes() / (1024.0 * 1024);
        owned.add(Long.toString(Math.round(p.metric("pmas_poller_group_accounts", ""))));
        cpuSum += cpuPerMinute;
        cpuMax = Math.max(cpuMax, cpuPerMinute);
        heapSum += heap;
        heapMax = Math.max(heapMax, heap);
        rssMax = Math.max(rssMax, rss);
      }
      String label = instances + " poller" + (instances == 1 ? "" : "s");
      String note = "accounts per instance " + String.join("/", owned);
      report.figure(ID, label + ": CPU per instance (mean)", cpuSum / instances, "CPU s/min");
      report.figure(ID, label + ": CPU per instance (max)", cpuMax, "CPU s/min");
      report.figure(ID, label + ": CPU all instances", cpuSum, "CPU s/min");
      report.figure(ID, label + ": heap after GC per instance (mean)", heapSum / instances, "MiB");
      report.figure(ID, label + ": heap after GC per instance (max)", heapMax, "MiB");
      report.figure(ID, label + ": peak RSS per instance (max)", rssMax, "MiB", null, note);
      report.figure(ID, label + ": account requests served", requestsPerSecond, "requests/s");
      table.add(
          String.format(
              Locale.ROOT,
              "%-10s %d accounts (%s): CPU/instance mean %.1f max %.1f CPU s/min (all %.1f),"
                  + " heap after GC mean %.1f max %.1f MiB, peak RSS max %.0f MiB, %.0f req/s",
              label,
              accounts,
              note,
              cpuSum / instances,
              cpuMax,
              cpuSum,
              heapSum / instances,
              heapMax,
              rssMax,
              requestsPerSecond));
    } finally {
      context.deleteTopics(Set.of(topic, topic + ".dlq", group + "-assignment"));
    }
  }

  // ---- (c) derive take-over ------------------------------------------------------------------

  private void deriveTakeOver(BenchContext context, HttpSchemaRegistryClient registry, String run)
      throws Exception {
    Report report = context.report();
    Topics topics = Topics.defaults().withPrefix(PREFIX + "derive.");
    String applicationId = "pmas-bench-scale-out-derive-" + run;
    Set<String> all =
        Set.of(
            topics.snapshots(),
            topics.statusTransitions(),
            topics.lowUniMmr(),
            topics.latest(),
            topics.deadLetter(),
            topics.deriveDeadLetter());
    context.deleteTopics(all);
    createTopic(context, topics.snapshots(), DERIVE_PARTITIONS);
    report.setting(
        ID,
        "deriveSettings",
        "k8s/app/pm.properties: static members (derive.instance.id), derive.session.timeout 30s,"
            + " kafka.num.standby.replicas 1, commit interval 100ms; "
            + DERIVE_ACCOUNTS
            + " accounts on "
            + DERIVE_PARTITIONS
            + " partitions, a snapshot of each every "
            + DERIVE_STEP.toMillis()
            + " ms");
    try (InputDriver driver = new InputDriver(context, registry, topics.snapshots());
        Instances derives = new Instances()) {
      driver.steps(10);
      driver.start();
      Map<String, String> base = deriveSettings(context, topics, applicationId);
      String victimId = "pm-account-stream-derive-0";
      String survivorId = "pm-account-stream-derive-1";
      ScaleOutInstance victim = startDerive(context, base, victimId, run);
      derives.add(victim);
      awaitCondition("derive-0 ready", STEADY_TIMEOUT, () -> victim.readyStatus() == 200);
      ScaleOutInstance survivor = startDerive(context, base, survivorId, run);
      derives.add(survivor);
      Map<String, Set<Integer>> active = new HashMap<>();
      awaitCondition(
          "both derive instances ready, each with active tasks",
          STEADY_TIMEOUT,
          () -> {
            Map<String, Set<Integer>> now = activeTasks(context, applicationId, topics.snapshots());
            active.clear();
            active.putAll(now);
            return victim.readyStatus() == 200
                && survivor.readyStatus() == 200
                && !now.getOrDefault(victimId, Set.of()).isEmpty()
                && !now.getOrDefault(survivorId, Set.of()).isEmpty();
          });
      Set<Integer> victimPartitions = active.get(victimId);

      long killedNanos = System.nanoTime();
      victim.kill();
      Map<TopicPartition, Long> from = end(context, topics.latest(), victimPartitions, true);
      Map<TopicPartition, Long> firstCommit =
          firstCommittedAfter(context, from, killedNanos, Duration.ofSeconds(180));
      double first = firstCommit.values().stream().mapToLong(n -> n).min().orElseThrow() / 1e9;
      double last = firstCommit.values().stream().mapToLong(n -> n).max().orElseThrow() / 1e9;
      report.figure(
          ID,
          "derive take-over, first partition",
          first,
          "s",
          null,
          "kill -9 of 1 of 2 -> first committed output of the survivor");
      report.figure(
          ID,
          "derive take-over, all partitions",
          last,
          "s",
          null,
          victimPartitions.size() + " partitions moved; session timeout 30s");
      table.add(
          String.format(
              Locale.ROOT,
              "derive take-over (kill -9 of 1 of 2, %d partitions moved): first %.1f s, all %.1f s"
                  + " (static members, session 30 s, 1 standby)",
              victimPartitions.size(),
              first,
              last));
    } finally {
      context.deleteTopics(all);
    }
  }

  /**
   * Per partition, the time from the kill to the first record a read_committed consumer sees there
   * past {@code from} (the last stable offsets after the kill): only the survivor commits after the
   * kill.
   */
  private static Map<TopicPartition, Long> firstCommittedAfter(
      BenchContext context, Map<TopicPartition, Long> from, long killedNanos, Duration timeout) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<TopicPartition, Long> first = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(from.keySet());
      from.forEach(consumer::seek);
      long deadline = killedNanos + timeout.toNanos();
      while (first.size() < from.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          first.putIfAbsent(
              new TopicPartition(r.topic(), r.partition()), System.nanoTime() - killedNanos);
        }
      }
    }
    if (first.size() < from.size()) {
      throw new IllegalStateException(
          "no committed output on " + from.keySet() + " within " + timeout + " of the kill");
    }
    return first;
  }

  private static Map<String, Set<Integer>> activeTasks(
      BenchContext context, String applicationId, String input) {
    ConsumerGroupDescription group;
    try {
      group =
          context
              .admin()
              .describeConsumerGroups(List.of(applicationId))
              .all()
              .get(30, TimeUnit.SECONDS)
              .get(applicationId);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot describe group " + applicationId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    Map<String, Set<Integer>> byInstance = new HashMap<>();
    for (MemberDescription member : group.members()) {
      // Kafka Streams suffixes the instance id with the stream thread's index ("-1")
      String instance = member.groupInstanceId().orElse(member.consumerId());
      String name = instance.replaceAll("-\\d+$", "");
      Set<Integer> partitions = byInstance.computeIfAbsent(name, n -> new TreeSet<>());
      member.assignment().topicPartitions().stream()
          .filter(tp -> tp.topic().equals(input))
          .forEach(tp -> partitions.add(tp.partition()));
    }
    return byInstance;
  }

  private static Map<String, String> deriveSettings(
      BenchContext context, Topics topics, String applicationId) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), context.bootstrapServers());
    settings.put(
        KafkaConnection.SCHEMA_REGISTRY_URL.name(), context.schemaRegistryUrl().orElseThrow());
    settings.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    settings.put(Topics.STATUS_TRANSITIONS.name(), topics.statusTransitions());
    settings.put(Topics.LOW_UNIMMR.name(), topics.lowUniMmr());
    settings.put(Topics.LATEST.name(), topics.latest());
    settings.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    settings.put(Topics.DERIVE_DEAD_LETTER.name(), topics.deriveDeadLetter());
    settings.put("derive.application.id", applicationId);
    settings.put("derive.session.timeout", "30s");
    settings.put("kafka.num.standby.replicas", "1");
    // the input is an hour old: derive it all, as a first start with history would not
    settings.put("derive.emit.from", "all");
    return settings;
  }

  private static ScaleOutInstance startDerive(
      BenchContext context, Map<String, String> base, String instanceId, String run)
      throws IOException {
    Map<String, String> settings = new LinkedHashMap<>(base);
    settings.put("derive.instance.id", instanceId);
    settings.put(
        "derive.state.dir",
        context.workDir().resolve("scale-out-state-" + run).resolve(instanceId).toString());
    return ScaleOutInstance.start("scale-" + instanceId, "derive", settings, JVM, context);
  }

  // ---- pollers -------------------------------------------------------------------------------

  private static BinancePmSimulator simulator(int accounts, long seed) {
    return BinancePmSimulator.builder()
        .scenario("many")
        .accounts(accounts)
        .seed(seed)
        .weightLimit(WEIGHT_LIMIT)
        .build()
        .start();
  }

  private static Map<String, String> pollerSettings(
      BenchContext context, BinancePmSimulator simulator, String topic, String group)
      throws IOException {
    Path credentials = context.workDir().resolve("scale-out-credentials.properties");
    simulator.writeCredentials(credentials);
    Properties loaded = new Properties();
    try (Reader in = Files.newBufferedReader(credentials)) {
      loaded.load(in);
    }
    Map<String, String> settings = new LinkedHashMap<>();
    loaded.stringPropertyNames().forEach(k -> settings.put(k, loaded.getProperty(k)));
    settings.put("bootstrap.servers", context.bootstrapServers());
    settings.put("schema.registry.url", context.schemaRegistryUrl().orElseThrow());
    settings.put("binance.base.url", simulator.baseUrl());
    settings.put("binance.time.url", simulator.baseUrl() + "/fapi/v1/time");
    settings.put("binance.weight.limit.per.minute", Integer.toString(WEIGHT_LIMIT));
    settings.put("topic.snapshots", topic);
    settings.put("topic.dlq", topic + ".dlq");
    settings.put("poller.group.id", group);
    settings.put("poller.assignment.topic", group + "-assignment");
    return settings;
  }

  private static ScaleOutInstance startPoller(
      BenchContext context, Map<String, String> base, String name) throws IOException {
    Map<String, String> settings = new LinkedHashMap<>(base);
    settings.put("poller.instance.id", name);
    return ScaleOutInstance.start("scale-" + name, "poll", settings, JVM, context);
  }

  /** Waits until the instances poll all the accounts between them, each some. */
  private static void awaitShared(List<ScaleOutInstance> pollers, int accounts) {
    awaitCondition(
        pollers.size() + " poller(s) sharing " + accounts + " accounts",
        STEADY_TIMEOUT,
        () -> {
          double total = 0;
          for (ScaleOutInstance p : pollers) {
            double owned = p.metric("pmas_poller_group_accounts", "");
            if (owned == 0) {
              return false;
            }
            total += owned;
          }
          return total == accounts;
        });
  }

  private static void awaitCondition(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
        last = null;
      } catch (RuntimeException e) {
        last = e; // an instance still starting: its ops endpoint does not answer yet
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
    throw new IllegalStateException("no " + what + " within " + timeout, last);
  }

  // ---- Kafka helpers -------------------------------------------------------------------------

  private static void createTopic(BenchContext context, String topic, int partitions)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        context
            .admin()
            .createTopics(Set.of(new NewTopic(topic, partitions, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        // deletion is asynchronous: the old topic may be there for a moment
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  /** Records in the topic so far (the sum of its partitions' end offsets). */
  private static long endOffset(BenchContext context, String topic) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < context.partitions(); p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    try {
      return context.admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
          .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
          .sum();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot read the end offsets of " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static Map<TopicPartition, Long> end(
      BenchContext context, String topic, Set<Integer> partitions, boolean committedOnly) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
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

  /** The instances of one part, stopped together (SIGTERM, then SIGKILL after 20 s) at its end. */
  private static final class Instances extends ArrayList<ScaleOutInstance>
      implements AutoCloseable {
    @Override
    public void close() {
      parallelStream().forEach(ScaleOutInstance::close);
    }
  }

  /** Reads the snapshot topic from the start on a thread: who polled each account, and when. */
  private static final class SnapshotWatcher implements AutoCloseable {
    private record Polled(String instance, Instant observedAt) {}

    private final Map<String, List<Polled>> byAccount = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final Thread thread;

    SnapshotWatcher(BenchContext context, HttpSchemaRegistryClient registry, String topic) {
      Map<String, Object> config = new HashMap<>();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      KafkaConsumer<String, AccountSnapshot> consumer =
          new KafkaConsumer<>(
              config,
              new StringDeserializer(),
              new ConfluentAvroDeserializer<>(registry, AccountSnapshot.class));
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < context.partitions(); p++) {
        partitions.add(new TopicPartition(topic, p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      thread =
          new Thread(
              () -> {
                try (consumer) {
                  while (running.get()) {
                    for (ConsumerRecord<String, AccountSnapshot> r :
                        consumer.poll(Duration.ofMillis(200))) {
                      byAccount
                          .computeIfAbsent(
                              r.key(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                          .add(
                              new Polled(
                                  r.value().getPollerInstanceId(), r.value().getObservedAt()));
                    }
                  }
                } catch (RuntimeException e) {
                  failure.set(e);
                }
              },
              "scale-out-snapshot-watcher");
      thread.setDaemon(true);
      thread.start();
    }

    private void check() {
      if (failure.get() != null) {
        throw new IllegalStateException("the snapshot watcher failed", failure.get());
      }
    }

    long count() {
      check();
      return byAccount.values().stream().mapToLong(List::size).sum();
    }

    long accountsSeenSince(Instant since) {
      check();
      return byAccount.values().stream()
          .filter(l -> l.stream().anyMatch(p -> p.observedAt().isAfter(since)))
          .count();
    }

    /** Accounts whose last snapshot so far is by {@code instance}. */
    Set<String> accountsLastPolledBy(String instance) {
      check();
      Set<String> accounts = new TreeSet<>();
      byAccount.forEach(
          (account, list) -> {
            if (list.get(list.size() - 1).instance().equals(instance)) {
              accounts.add(account);
            }
          });
      return accounts;
    }

    /** For each of {@code accounts} polled since by another than {@code gone}: the first time. */
    Map<String, Instant> firstByOthersSince(Set<String> accounts, Instant since, String gone) {
      check();
      Map<String, Instant> first = new HashMap<>();
      Set<String> wanted = new HashSet<>(accounts);
      byAccount.forEach(
          (account, list) -> {
            if (wanted.contains(account)) {
              list.stream()
                  .filter(p -> !p.instance().equals(gone) && p.observedAt().isAfter(since))
                  .map(Polled::observedAt)
                  .min(Instant::compareTo)
                  .ifPresent(at -> first.put(account, at));
            }
          });
      return first;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }

  /**
   * Writes realistic snapshots (the {@code many} walk, an hour old, a step a second) with the real
   * serde: one snapshot of every account every {@link #DERIVE_STEP}, on a thread, until closed.
   */
  private static final class InputDriver implements AutoCloseable {
    private final RealisticSnapshots snapshots;
    private final KafkaProducer<String, AccountSnapshot> producer;
    private final String topic;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread = new Thread(this::run, "scale-out-input");

    InputDriver(BenchContext context, HttpSchemaRegistryClient registry, String topic) {
      this.topic = topic;
      this.snapshots =
          new RealisticSnapshots(
              DERIVE_ACCOUNTS,
              Long.MAX_VALUE,
              3,
              Instant.now().minus(Duration.ofHours(1)),
              Duration.ofSeconds(1));
      Map<String, Object> config = new HashMap<>();
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      this.producer =
          new KafkaProducer<>(
              config,
              new StringSerializer(),
              DerivationSerdes.create(registry).snapshot().serializer());
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    void steps(int count) {
      for (int i = 0; i < count; i++) {
        step();
      }
    }

    private void step() {
      for (int i = 0; i < DERIVE_ACCOUNTS; i++) {
        AccountSnapshot s = snapshots.next();
        producer.send(
            new ProducerRecord<>(
                topic, null, s.getObservedAt().toEpochMilli(), s.getAccountId(), s));
      }
      producer.flush();
    }

    private void run() {
      while (running.get()) {
        step();
        try {
          Thread.sleep(DERIVE_STEP.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(30_000);
      producer.close(Duration.ofSeconds(10));
    }
  }
}
