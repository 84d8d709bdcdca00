package io.pmaccountstream.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.Change;
import io.pmaccountstream.simulator.SimulatedAccount;
import io.pmaccountstream.streams.DeriveApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Section 4: end-to-end latency of a change. The simulator (in this JVM) changes an account's
 * uniMMR across 1.5 so that its status flips between NORMAL and MARGIN_CALL; the poller (interval
 * 100 ms) sees it on its next poll and publishes a snapshot; the derivation topology turns it into
 * an AccountStatusTransition; a {@code read_committed} consumer sees it. Latency = consumer sees
 * the transition − simulator finished sending the response that first showed the change (its serve
 * hook; on loopback that is when the poller received it). Both ends read {@code System.nanoTime()}
 * of this JVM, so no clock offset enters. A change is matched to its event by (accountId,
 * updateTime): the simulator gives every change a new updateTime.
 *
 * <p>Runs ({@link #VARIANTS}): exactly-once v2 and at-least-once with the derive app's shipped
 * Kafka Streams settings ({@link DeriveApp#streamsProperties}: its commit interval, poll.ms and
 * producer tuning), then exactly-once with what derive shipped before (commit interval 100 ms,
 * Streams' own poll.ms 100 and producer linger 100 ms) to show what the defaults buy, and with the
 * shipped settings but the old 100 ms commit interval; then what the rest of the latency is made
 * of: exactly-once with the 50 ms commit interval shipped before, at-least-once without the Streams
 * producer's 5 ms linger, and both guarantees without the poller producer's 5 ms linger ({@code
 * kafka.linger.ms=0} for the poller). Each variant names what it overrides; one stream thread,
 * default levels. One change per account is in flight at a time, and an account changes at most
 * every 300 ms.
 */
final class LatencySection implements Section {

  static final String ID = "4";
  private static final int ACCOUNTS = 10;
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  /**
   * One run: the processing guarantee and the Kafka Streams settings it overrides in derive's
   * shipped ones ({@code poll.ms}: how long an idle stream thread blocks in poll before it looks at
   * the commit interval again; with exactly-once, a record processed just after a commit waits for
   * the next commit, and that can come up to poll.ms late).
   */
  record Variant(
      String label,
      String guarantee,
      Map<String, Object> overrides,
      Map<String, String> pollerOverrides,
      Double p99Target) {

    Variant(String label, String guarantee, Map<String, Object> overrides, Double p99Target) {
      this(label, guarantee, overrides, Map.of(), p99Target);
    }
  }

  static final List<Variant> VARIANTS =
      List.of(
          new Variant("exactly-once", StreamsConfig.EXACTLY_ONCE_V2, Map.of(), 100.0),
          new Variant("at-least-once", StreamsConfig.AT_LEAST_ONCE, Map.of(), 20.0),
          new Variant(
              "exactly-once, before (commit 100 ms, poll.ms 100, linger 100 ms)",
              StreamsConfig.EXACTLY_ONCE_V2,
              Map.of(
                  StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                  100L,
                  StreamsConfig.POLL_MS_CONFIG,
                  100L,
                  StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
                  100),
              null),
          new Variant(
              "exactly-once, commit 100 ms",
              StreamsConfig.EXACTLY_ONCE_V2,
              Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100L),
              null),
          new Variant(
              "exactly-once, commit 50 ms (the default before)",
              StreamsConfig.EXACTLY_ONCE_V2,
              Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50L),
              null),
          new Variant(
              "at-least-once, Streams producer linger 0 ms",
              StreamsConfig.AT_LEAST_ONCE,
              Map.of(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0),
              null),
          new Variant(
              "at-least-once, poller producer linger 0 ms",
              StreamsConfig.AT_LEAST_ONCE,
              Map.of(),
              Map.of("kafka." + ProducerConfig.LINGER_MS_CONFIG, "0"),
              null),
          new Variant(
              "exactly-once, poller producer linger 0 ms",
              StreamsConfig.EXACTLY_ONCE_V2,
              Map.of(),
              Map.of("kafka." + ProducerConfig.LINGER_MS_CONFIG, "0"),
              null));
  private static final Duration MIN_GAP = Duration.ofMillis(300);
  private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(10);
  private static final int WARM_UP_CHANGES_PER_ACCOUNT = 5;
  private static final int WEIGHT_LIMIT = 100_000_000;

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "end-to-end latency";
  }

  @Override
  public Optional<String> unavailable(BenchContext context) {
    return context.schemaRegistryUrl().isEmpty()
        ? Optional.of("needs --schema-registry-url")
        : Optional.empty();
  }

  @Override
  public void run(BenchContext context) throws Exception {
    Report report = context.report();
    int changes = context.scale().latencyChanges();
    report.setting(ID, "changes", changes);
    report.setting(ID, "accounts", ACCOUNTS);
    report.setting(ID, "pollInterval", "100ms");
    report.setting(ID, "derive Streams settings", "DeriveApp.streamsProperties (shipped)");
    for (Variant v : VARIANTS) {
      report.setting(
          ID,
          "run " + v.label(),
          v.guarantee() + ", overrides " + v.overrides() + ", poller " + v.pollerOverrides());
    }
    report.setting(ID, "minGapBetweenChangesOfOneAccount", "300ms");
    report.setting(
        ID,
        "measuredFrom",
        "simulator served the first response showing the change (serve hook, same JVM)");
    // The poller, the topology and the consumer run in this JVM: a first run nobody reads warms
    // it up, so that the first variant measured does not also measure the JIT.
    int warmUpChanges = Math.max(50, changes / 5);
    report.setting(
        ID, "warmUp", "one unreported run of the first variant, " + warmUpChanges + " changes");
    measure(context, VARIANTS.get(0), warmUpChanges, false);
    for (Variant v : VARIANTS) {
      measure(context, v, changes, true);
    }
  }

  private record Key(String accountId, long updateTime) {}

  private void measure(BenchContext context, Variant variant, int changes, boolean reported)
      throws Exception {
    String label = variant.label();
    String slug = label.replaceAll("[^a-z0-9]+", "-") + (reported ? "" : "-warm-up");
    String run = slug + "-" + System.currentTimeMillis();
    Topics topics = Topics.defaults().withPrefix("pmas-bench.latency." + slug + ".");
    context.recreateTopics(
        Set.of(
            topics.snapshots(),
            topics.statusTransitions(),
            topics.lowUniMmr(),
            topics.latest(),
            topics.deadLetter()));
    Map<Key, Long> servedNanos = new ConcurrentHashMap<>();
    Map<Key, CompletableFuture<Long>> seenNanos = new ConcurrentHashMap<>();
    Latencies latencies = new Latencies();
    int lost = 0;
    double[] commitMillis = {Double.NaN, Double.NaN};

    KafkaConnection connection = context.kafkaConnection();
    try (BinancePmSimulator simulator =
            BinancePmSimulator.builder()
                .scenario("calm")
                .accounts(ACCOUNTS)
                .seed(9)
                .weightLimit(WEIGHT_LIMIT)
                .build()
                .start();
        HttpSchemaRegistryClient registry = HttpSchemaRegistryClient.from(connection)) {
      simulator.addServeListener(
          (state, at) ->
              servedNanos.putIfAbsent(
                  new Key(state.accountId(), state.updateTime()), System.nanoTime()));
      Map<String, Object> overrides = new HashMap<>(variant.overrides());
      overrides.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, variant.guarantee());
      KafkaStreams streams =
          InProcessDerive.start(
              context, registry, topics, "pmas-bench-latency-" + run, run, overrides);
      AtomicBoolean consuming = new AtomicBoolean(true);
      Thread consumer =
          new Thread(
              () -> consume(context, registry, topics, run, consuming, seenNanos),
              "latency-consumer");
      consumer.start();
      PollerApp poller = startPoller(context, simulator, topics, run, variant.pollerOverrides());
      try {
        List<SimulatedAccount> accounts = simulator.accounts();
        Key[] inFlight = new Key[ACCOUNTS];
        long[] changedAt = new long[ACCOUNTS];
        boolean[] low = new boolean[ACCOUNTS];
        int warmUp = WARM_UP_CHANGES_PER_ACCOUNT * ACCOUNTS;
        boolean[] measured = new boolean[warmUp + changes];
        Key[] keys = new Key[warmUp + changes];
        for (int i = 0; i < warmUp + changes; i++) {
          int a = i % ACCOUNTS;
          if (inFlight[a] != null && !await(seenNanos, inFlight[a])) {
            lost += i - ACCOUNTS >= warmUp ? 1 : 0;
          }
          long wait = changedAt[a] + MIN_GAP.toNanos() - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          low[a] = !low[a];
          Change change = accounts.get(a).set(low[a] ? "1.3" : "2.0");
          changedAt[a] = System.nanoTime();
          keys[i] = new Key(accounts.get(a).id(), change.state().updateTime());
          measured[i] = i >= warmUp;
          inFlight[a] = keys[i];
        }
        for (int a = 0; a < ACCOUNTS; a++) {
          if (inFlight[a] != null && !await(seenNanos, inFlight[a])) {
            lost++;
          }
        }
        for (int i = warmUp; i < keys.length; i++) {
          CompletableFuture<Long> seen = seenNanos.get(keys[i]);
          Long served = servedNanos.get(keys[i]);
          if (seen != null && seen.isDone() && served != null) {
            latencies.add(TimeUnit.NANOSECONDS.toMicros(seen.join() - served));
          }
        }
        commitMillis = commitLatency(streams);
      } finally {
        poller.shutdown(Duration.ofSeconds(10));
        consuming.set(false);
        consumer.join(10_000);
        streams.close(Duration.ofSeconds(30));
      }
    }
    if (!reported) {
      return;
    }
    Report report = context.report();
    report.figure(ID, label + " p50", latencies.percentileMillis(50), "ms");
    report.figure(
        ID,
        label + " p99",
        latencies.percentileMillis(99),
        "ms",
        variant.p99Target() == null ? null : Report.Target.atMost(variant.p99Target()),
        "");
    report.figure(ID, label + " max", latencies.maxMillis(), "ms");
    report.figure(ID, label + " changes measured", latencies.count(), "changes");
    if (!Double.isNaN(commitMillis[0])) {
      report.figure(
          ID,
          label + ", stream thread commit latency avg",
          commitMillis[0],
          "ms",
          null,
          "Streams' commit-latency-avg/-max over its last sample windows (~1 min): the"
              + " transaction commit an exactly-once event waits for");
      report.figure(ID, label + ", stream thread commit latency max", commitMillis[1], "ms");
    }
    if (lost > 0) {
      report.figure(
          ID,
          label + " changes without an event in " + EVENT_TIMEOUT.toSeconds() + " s",
          lost,
          "changes");
    }
  }

  /** The stream thread's commit-latency-avg and -max (ms), NaN where Streams has none. */
  private static double[] commitLatency(KafkaStreams streams) {
    double[] avgMax = {Double.NaN, Double.NaN};
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName name = e.getKey();
      if (!name.group().equals("stream-thread-metrics")) {
        continue;
      }
      Object value = e.getValue().metricValue();
      if (!(value instanceof Double d) || d.isNaN() || d.isInfinite()) {
        continue;
      }
      if (name.name().equals("commit-latency-avg")) {
        avgMax[0] = d;
      } else if (name.name().equals("commit-latency-max")) {
        avgMax[1] = d;
      }
    }
    return avgMax;
  }

  private static boolean await(Map<Key, CompletableFuture<Long>> seen, Key key)
      throws InterruptedException {
    try {
      seen.computeIfAbsent(key, k -> new CompletableFuture<>())
          .get(EVENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("the latency consumer failed", e.getCause());
    }
  }

  private static void consume(
      BenchContext context,
      HttpSchemaRegistryClient registry,
      Topics topics,
      String run,
      AtomicBoolean consuming,
      Map<Key, CompletableFuture<Long>> seenNanos) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "pmas-bench-latency-" + run);
    try (KafkaConsumer<String, AccountStatusTransition> consumer =
        new KafkaConsumer<>(
            props,
            new StringDeserializer(),
            new ConfluentAvroDeserializer<>(registry, AccountStatusTransition.class))) {
      consumer.assign(Offsets.partitions(topics.statusTransitions(), context.partitions()));
      consumer.seekToBeginning(consumer.assignment());
      while (consuming.get()) {
        for (ConsumerRecord<String, AccountStatusTransition> r :
            consumer.poll(Duration.ofMillis(5))) {
          long now = System.nanoTime();
          AccountStatusTransition t = r.value();
          seenNanos
              .computeIfAbsent(
                  new Key(t.getAccountId(), t.getUpdateTime().toEpochMilli()),
                  k -> new CompletableFuture<>())
              .complete(now);
        }
      }
    }
  }

  private static PollerApp startPoller(
      BenchContext context,
      BinancePmSimulator simulator,
      Topics topics,
      String run,
      Map<String, String> overrides)
      throws Exception {
    Path credentials = context.workDir().resolve("latency-" + run + ".properties");
    simulator.writeCredentials(credentials);
    Map<String, String> flags = new HashMap<>();
    flags.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), context.bootstrapServers());
    flags.put(
        KafkaConnection.SCHEMA_REGISTRY_URL.name(), context.schemaRegistryUrl().orElseThrow());
    flags.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    flags.put(Topics.STATUS_TRANSITIONS.name(), topics.statusTransitions());
    flags.put(Topics.LOW_UNIMMR.name(), topics.lowUniMmr());
    flags.put(Topics.LATEST.name(), topics.latest());
    flags.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    flags.put("poll.interval", POLL_INTERVAL.toMillis() + "ms");
    flags.put("binance.weight.limit.per.minute", Integer.toString(WEIGHT_LIMIT));
    flags.put("poller.instance.id", "bench-latency-" + run);
    flags.putAll(overrides);
    PollerApp app =
        PollerApp.create(
            PollerApp.Settings.from(
                new ConfigReader(Settings.load(Optional.of(credentials), Map.of(), flags))),
            new SimpleMeterRegistry());
    app.start();
    return app;
  }
}
