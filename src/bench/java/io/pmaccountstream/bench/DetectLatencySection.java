package io.pmaccountstream.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.LevelEventKind;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.Change;
import io.pmaccountstream.simulator.RequestStats;
import io.pmaccountstream.simulator.SimulatedAccount;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Section "detect" (issue 16): time to detect a crossing of uniMMR 1.2. Fifty simulated accounts
 * share one IP's weight budget (6000/min, share 0.8: 240 polls a minute, one poll per account every
 * 12.5 s when spread evenly). Ten accounts sit near the level (uniMMR 1.23-1.31, within 10 % of
 * 1.2), forty are calm (uniMMR 3-4). At random times (seeded exponential gaps) a randomly chosen
 * idle account (a near one with probability {@value #NEAR_SHARE}) is set to a uniMMR in [1.10,
 * 1.19]; it stays there until the low-uniMMR BREACHED event of 1.2 for that change is read by a
 * {@code read_committed} consumer (or {@link #EVENT_TIMEOUT} passes: a miss), then goes back to its
 * resting value, and is idle again 0-12.5 s after the RECOVERED event of that move is read (so that
 * the next crossing of the account is a new BREACHED).
 *
 * <p>Time to detect = the consumer's poll returned the BREACHED record − just before {@link
 * SimulatedAccount#set} changed the simulator's state. Both ends read {@code System.nanoTime()} of
 * this JVM (simulator, poller, Kafka Streams and consumer all run here), so no clock offset enters.
 * Every account is pinned by {@code set}, so the scenario clock (speed 1, unchanged) moves nothing:
 * the state changes only when the benchmark changes it, in real time. A crossing is matched to its
 * event by (accountId, updateTime, level 1.2, BREACHED): the simulator gives every change a new
 * updateTime. Every event id of the low-uniMMR topic is counted for duplicates.
 *
 * <p>Modes ({@link #MODES}), each with a fresh simulator, poller, Kafka Streams and topics against
 * the same broker and registry: uniform polling at the budget's rate, adaptive polling (at the
 * shortest {@code poll.interval.max} whose floor the budget pays for, and at a longer one that
 * leaves budget for the near accounts), and push + adaptive. The poller's jitter is the shipped
 * {@code poll.jitter} 0.1 in every mode.
 */
final class DetectLatencySection implements Section {

  static final String ID = "detect";

  private static final Logger log = LoggerFactory.getLogger(DetectLatencySection.class);

  private static final int ACCOUNTS = 50;
  private static final int NEAR_ACCOUNTS = 10;
  private static final double NEAR_SHARE = 0.6;
  private static final BigDecimal LEVEL = new BigDecimal("1.2");
  private static final int WEIGHT_LIMIT = 6000;
  private static final long SEED = 16;

  /** Weight 6000 × share 0.8 / weight 20 per poll = 240 polls a minute over 50 accounts. */
  private static final Duration UNIFORM_INTERVAL = Duration.ofMillis(12_500);

  /**
   * The shortest max whose floor the budget pays for with the push reserve's 10 % kept free (6000 ×
   * 0.8 × 0.9 / 20 = 216 polls a minute; 50 accounts at max cost 50 / max, so max ≥ 13.9 s): the
   * adaptive policy has almost nothing to share out.
   */
  private static final Duration BUDGET_FORCED_MAX = Duration.ofSeconds(14);

  /** Calm accounts once a minute: most of the budget is left for the accounts near a level. */
  private static final Duration ROOMY_MAX = Duration.ofSeconds(60);

  private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(45);

  /**
   * How long a crossing waits for its event before it counts as missed: {@link #EVENT_TIMEOUT}, or
   * the mode's longest gap between two polls (max plus the jitter of 10 %) and 15 s when that is
   * longer: a calm account is polled once per max, so a shorter wait would call its crossings
   * missed that were merely not polled yet.
   */
  static Duration eventTimeout(Mode mode) {
    Duration longestGap = mode.max().plus(mode.max().dividedBy(10)).plusSeconds(15);
    return longestGap.compareTo(EVENT_TIMEOUT) > 0 ? longestGap : EVENT_TIMEOUT;
  }

  private static final Duration HOLD_MAX = Duration.ofSeconds(2);

  /**
   * After its RECOVERED event an account rests 0-12.5 s before it may cross again: the RECOVERED
   * event follows a poll at once, so without this rest the next crossing would come just after a
   * poll and wait nearly a whole interval (a bias towards the worst case).
   */
  private static final Duration PAUSE_MAX = UNIFORM_INTERVAL;

  /** One run: how the poller is configured. */
  record Mode(String id, String label, boolean adaptive, Duration max, boolean push) {}

  static final List<Mode> MODES =
      List.of(
          new Mode("a", "uniform 12.5 s", false, UNIFORM_INTERVAL, false),
          new Mode("b", "adaptive, max 60 s", true, ROOMY_MAX, false),
          new Mode("b14", "adaptive, max 14 s", true, BUDGET_FORCED_MAX, false),
          new Mode("c", "push + adaptive, max 60 s", true, ROOMY_MAX, true));

  @Override
  public String id() {
    return ID;
  }

  /** Four modes of 150 s each: run on its own, {@code bin/bench --sections detect}. */
  @Override
  public boolean inDefaultSuite() {
    return false;
  }

  @Override
  public String title() {
    return "time to detect a crossing of 1.2";
  }

  @Override
  public Optional<String> unavailable(BenchContext context) {
    return context.schemaRegistryUrl().isEmpty()
        ? Optional.of("needs --schema-registry-url")
        : Optional.empty();
  }

  /** The crossings of one mode: how long each took, and whether its account was near. */
  record Outcome(
      Latencies all,
      Latencies near,
      int crossings,
      int nearCrossings,
      int missed,
      int nearMissed,
      int duplicateEventIds,
      int breachedEvents,
      int unmatchedBreached,
      int crossingsSeenTwice,
      long polls,
      double seconds,
      long rejected,
      int overOneSecond,
      double weightWaits,
      double urgentWeightWaits,
      double deferredPolls,
      double pushPolls) {}

  @Override
  public void run(BenchContext context) throws Exception {
    Duration window =
        context.scale().name().startsWith("quick")
            ? Duration.ofSeconds(40)
            : Duration.ofSeconds(150);
    double crossingsPerSecond = 0.8;
    Report report = context.report();
    report.setting(ID, "accounts", ACCOUNTS);
    report.setting(
        ID, "nearAccounts", NEAR_ACCOUNTS + " at uniMMR 1.23-1.31 (within 10 % of 1.2), rest 3-4");
    report.setting(
        ID,
        "crossings",
        "to uniMMR in [1.10, 1.19], held until detected (or "
            + EVENT_TIMEOUT.toSeconds()
            + " s, or max x 1.1 + 15 s when longer: a miss), then back after 0-"
            + HOLD_MAX.toSeconds()
            + " s, idle again 0-"
            + PAUSE_MAX.toMillis() / 1000.0
            + " s after its RECOVERED event is read; an account at most one crossing at a time; arrivals at "
            + crossingsPerSecond
            + "/s (exponential gaps, seed "
            + SEED
            + "), a near account with probability "
            + NEAR_SHARE);
    report.setting(ID, "windowPerMode", window.toSeconds() + " s of crossings, then a drain");
    report.setting(
        ID,
        "weight",
        "simulator and poller 6000/min per IP, binance.weight.max.share 0.8 (shipped default)");
    report.setting(ID, "jitter", "poll.jitter 0.1 (shipped default) in every mode");
    report.setting(
        ID,
        "timeBase",
        "real time; every account pinned by set(), scenario speed 1 moves nothing; both ends"
            + " System.nanoTime() of the bench JVM");
    report.setting(
        ID,
        "measuredFrom",
        "just before SimulatedAccount.set changed the state, to the read_committed consumer's"
            + " poll returning the BREACHED 1.2 record");
    report.setting(
        ID,
        "derive",
        "in-process Kafka Streams with the settings derive ships (exactly_once_v2, one thread)");
    Map<String, Outcome> outcomes = new HashMap<>();
    // -Dpmas.bench.detect.modes=a,c runs only those modes (for a smoke run)
    List<String> only =
        List.of(System.getProperty("pmas.bench.detect.modes", "").split(",")).stream()
            .filter(s -> !s.isBlank())
            .toList();
    for (Mode mode : MODES) {
      if (!only.isEmpty() && !only.contains(mode.id())) {
        continue;
      }
      report.setting(ID, "mode " + mode.id(), describe(mode));
      Outcome outcome = measure(context, mode, window, crossingsPerSecond);
      outcomes.put(mode.id(), outcome);
      figures(report, mode, outcome, outcomes.get("a"));
    }
  }

  private static String describe(Mode mode) {
    if (!mode.adaptive()) {
      return "poll.adaptive=false, poll.interval=" + mode.max().toMillis() + "ms";
    }
    return "poll.adaptive=true, poll.interval.min unset (1 s), poll.interval.max="
        + mode.max().toSeconds()
        + "s, poll.adaptive.headroom 0.1 (unplanned)"
        + (mode.push()
            ? ", binance.user.stream.enabled=true, binance.ws.base.url=simulator's,"
                + " poll.push.min.gap 1 s (urgent reserve: at least the headroom)"
            : " (no user-data stream: no urgent reserve)");
  }

  private static void figures(Report report, Mode mode, Outcome o, Outcome uniform) {
    String p = mode.id() + " " + mode.label() + ": ";
    report.figure(ID, p + "crossings", o.crossings(), "crossings");
    report.figure(ID, p + "p50", o.all().percentileMillis(50), "ms");
    if (mode.push()) {
      report.figure(
          ID, p + "p99", o.all().percentileMillis(99), "ms", Report.Target.atMost(1000), "");
    } else {
      report.figure(ID, p + "p99", o.all().percentileMillis(99), "ms");
    }
    report.figure(ID, p + "max", o.all().maxMillis(), "ms");
    report.figure(ID, p + "missed", o.missed(), "crossings");
    report.figure(ID, p + "near crossings", o.nearCrossings(), "crossings");
    report.figure(ID, p + "near p50", o.near().percentileMillis(50), "ms");
    double nearP99 = o.near().percentileMillis(99);
    if (mode.adaptive() && !mode.push() && uniform != null) {
      double bound = uniform.near().percentileMillis(99) / 3;
      report.figure(
          ID,
          p + "near p99",
          nearP99,
          "ms",
          Report.Target.atMost(bound),
          "one third of mode a's near p99");
    } else {
      report.figure(ID, p + "near p99", nearP99, "ms");
    }
    report.figure(ID, p + "near max", o.near().maxMillis(), "ms");
    report.figure(ID, p + "near missed", o.nearMissed(), "crossings");
    report.figure(ID, p + "duplicate event ids", o.duplicateEventIds(), "ids");
    report.figure(ID, p + "crossings with their event twice", o.crossingsSeenTwice(), "crossings");
    report.figure(
        ID, p + "BREACHED 1.2 events matching no crossing", o.unmatchedBreached(), "events");
    report.figure(ID, p + "polls per minute", o.polls() / o.seconds() * 60, "polls/min");
    report.figure(ID, p + "account answers 429/418 (whole mode)", o.rejected(), "answers");
    report.figure(ID, p + "crossings detected after more than 1 s", o.overOneSecond(), "crossings");
    report.figure(
        ID, p + "requests that waited for weight budget (whole mode)", o.weightWaits(), "waits");
    report.figure(
        ID,
        p + "urgent requests that waited for weight budget (whole mode)",
        o.urgentWeightWaits(),
        "waits");
    report.figure(
        ID,
        p + "scheduled polls deferred for weight budget (whole mode)",
        o.deferredPolls(),
        "polls");
    report.figure(ID, p + "push-triggered polls (whole mode)", o.pushPolls(), "polls");
  }

  private record Key(String accountId, long updateTime) {}

  /** What the consumer saw, by crossing: when its BREACHED (or RECOVERED) became readable. */
  private static final class Seen {
    final Map<Key, CompletableFuture<Long>> breached = new ConcurrentHashMap<>();
    final Map<Key, CompletableFuture<Long>> recovered = new ConcurrentHashMap<>();
    final Map<String, Integer> eventIds = new ConcurrentHashMap<>();
    final Map<Key, Integer> breachedCount = new ConcurrentHashMap<>();

    CompletableFuture<Long> breached(Key key) {
      return breached.computeIfAbsent(key, k -> new CompletableFuture<>());
    }

    CompletableFuture<Long> recovered(Key key) {
      return recovered.computeIfAbsent(key, k -> new CompletableFuture<>());
    }
  }

  private Outcome measure(
      BenchContext context, Mode mode, Duration window, double crossingsPerSecond)
      throws Exception {
    String run = "detect-" + mode.id() + "-" + System.currentTimeMillis();
    Duration timeout = eventTimeout(mode);
    Topics topics = Topics.defaults().withPrefix("pmas-bench.detect." + mode.id() + ".");
    context.recreateTopics(
        Set.of(
            topics.snapshots(),
            topics.statusTransitions(),
            topics.lowUniMmr(),
            topics.latest(),
            topics.deadLetter(),
            topics.riskLevelChanges()));
    Seen seen = new Seen();
    Latencies all = new Latencies();
    Latencies near = new Latencies();
    AtomicInteger crossings = new AtomicInteger();
    AtomicInteger nearCrossings = new AtomicInteger();
    AtomicInteger missed = new AtomicInteger();
    AtomicInteger nearMissed = new AtomicInteger();
    AtomicInteger overOneSecond = new AtomicInteger();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Set<Key> crossingKeys = ConcurrentHashMap.newKeySet();
    Random random = new Random(SEED);
    KafkaConnection connection = context.kafkaConnection();
    long polls;
    double seconds;
    long rejected;
    try (BinancePmSimulator simulator =
            BinancePmSimulator.builder()
                .scenario("calm")
                .accounts(ACCOUNTS)
                .seed(SEED)
                .weightLimit(WEIGHT_LIMIT)
                .build()
                .start();
        HttpSchemaRegistryClient registry = HttpSchemaRegistryClient.from(connection)) {
      List<SimulatedAccount> accounts = new ArrayList<>(simulator.accounts());
      Collections.shuffle(accounts, random);
      Map<String, BigDecimal> rest = new HashMap<>();
      Set<String> nearIds = new HashSet<>();
      List<Change> resting = new ArrayList<>();
      for (int i = 0; i < accounts.size(); i++) {
        SimulatedAccount account = accounts.get(i);
        boolean isNear = i < NEAR_ACCOUNTS;
        BigDecimal value =
            isNear
                ? decimal(1.23 + 0.08 * random.nextDouble())
                : decimal(3.0 + random.nextDouble());
        rest.put(account.id(), value);
        if (isNear) {
          nearIds.add(account.id());
        }
        resting.add(account.set(value));
      }
      KafkaStreams streams =
          InProcessDerive.start(context, registry, topics, "pmas-bench-" + run, run, Map.of());
      AtomicBoolean consuming = new AtomicBoolean(true);
      Thread consumer =
          new Thread(
              () -> consume(context, registry, topics, run, consuming, seen), "detect-consumer");
      consumer.start();
      PollerApp poller = startPoller(context, simulator, topics, mode, run, meters);
      ExecutorService crossingThreads = Executors.newCachedThreadPool();
      try {
        CompletableFuture.allOf(
                resting.stream().map(Change::served).toArray(CompletableFuture[]::new))
            .get(90, TimeUnit.SECONDS);
        // every account polled once at rest: let the adaptive allocation settle on these wishes
        Thread.sleep(mode.max().plusSeconds(5).toMillis());
        long pollsBefore = served(simulator);
        long start = System.nanoTime();
        long end = start + window.toNanos();
        Set<String> busy = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Void>> running = new ArrayList<>();
        Random schedule = new Random(SEED + 1);
        while (true) {
          double gapSeconds = -Math.log(1 - schedule.nextDouble()) / crossingsPerSecond;
          Thread.sleep((long) (gapSeconds * 1000));
          if (System.nanoTime() > end) {
            break;
          }
          boolean wantNear = schedule.nextDouble() < NEAR_SHARE;
          List<SimulatedAccount> idle =
              accounts.stream()
                  .filter(a -> !busy.contains(a.id()) && nearIds.contains(a.id()) == wantNear)
                  .toList();
          if (idle.isEmpty()) {
            idle = accounts.stream().filter(a -> !busy.contains(a.id())).toList();
          }
          if (idle.isEmpty()) {
            continue;
          }
          SimulatedAccount account = idle.get(schedule.nextInt(idle.size()));
          BigDecimal low = decimal(1.10 + 0.09 * schedule.nextDouble());
          long holdMillis = (long) (schedule.nextDouble() * HOLD_MAX.toMillis());
          long pauseMillis = (long) (schedule.nextDouble() * PAUSE_MAX.toMillis());
          boolean isNear = nearIds.contains(account.id());
          busy.add(account.id());
          running.add(
              CompletableFuture.runAsync(
                  () -> {
                    try {
                      long changedAt = System.nanoTime();
                      Change down = account.set(low);
                      Key key = new Key(account.id(), down.state().updateTime());
                      crossingKeys.add(key);
                      crossings.incrementAndGet();
                      if (isNear) {
                        nearCrossings.incrementAndGet();
                      }
                      Optional<Long> detected = await(seen.breached(key), timeout);
                      if (detected.isPresent()) {
                        long micros = TimeUnit.NANOSECONDS.toMicros(detected.get() - changedAt);
                        all.add(micros);
                        if (micros > 1_000_000) {
                          overOneSecond.incrementAndGet();
                        }
                        if (isNear) {
                          near.add(micros);
                        }
                      } else {
                        missed.incrementAndGet();
                        if (isNear) {
                          nearMissed.incrementAndGet();
                        }
                        log.warn("{}: no BREACHED event for {} in {}", mode.id(), key, timeout);
                      }
                      Thread.sleep(holdMillis);
                      Change up = account.set(rest.get(account.id()));
                      Key upKey = new Key(account.id(), up.state().updateTime());
                      if (await(seen.recovered(upKey), timeout).isEmpty()) {
                        log.warn("{}: no RECOVERED event for {}", mode.id(), upKey);
                      }
                      Thread.sleep(pauseMillis);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    } finally {
                      busy.remove(account.id());
                    }
                  },
                  crossingThreads));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
            .get(timeout.toSeconds() * 3, TimeUnit.SECONDS);
        seconds = (System.nanoTime() - start) / 1e9;
        polls = served(simulator) - pollsBefore;
        // late duplicates, if any, have a moment to show up
        Thread.sleep(2_000);
        rejected =
            simulator.stats().count(RequestStats.ACCOUNT, 429)
                + simulator.stats().count(RequestStats.ACCOUNT, 418);
      } finally {
        crossingThreads.shutdownNow();
        poller.shutdown(Duration.ofSeconds(10));
        consuming.set(false);
        consumer.join(10_000);
        streams.close(Duration.ofSeconds(30));
      }
    }
    int duplicates = (int) seen.eventIds.values().stream().filter(n -> n > 1).count();
    int breachedEvents = seen.breachedCount.values().stream().mapToInt(Integer::intValue).sum();
    int unmatched =
        (int)
            seen.breachedCount.entrySet().stream()
                .filter(e -> !crossingKeys.contains(e.getKey()))
                .mapToInt(Map.Entry::getValue)
                .sum();
    int twice =
        (int) crossingKeys.stream().filter(k -> seen.breachedCount.getOrDefault(k, 0) > 1).count();
    log.info(
        "{}: {} crossings ({} near), {} missed, p50 {} ms, p99 {} ms",
        mode.id(),
        crossings.get(),
        nearCrossings.get(),
        missed.get(),
        all.percentileMillis(50),
        all.percentileMillis(99));
    return new Outcome(
        all,
        near,
        crossings.get(),
        nearCrossings.get(),
        missed.get(),
        nearMissed.get(),
        duplicates,
        breachedEvents,
        unmatched,
        twice,
        polls,
        seconds,
        rejected,
        overOneSecond.get(),
        sum(meters, "pmas.binance.weight.waits"),
        sum(meters, "pmas.binance.weight.urgent.waits"),
        sum(meters, "pmas.poll.deferred"),
        meters.find("pmas.poll.push.polls").counters().stream().mapToDouble(c -> c.count()).sum());
  }

  private static double sum(SimpleMeterRegistry meters, String counter) {
    return meters.find(counter).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private static BigDecimal decimal(double value) {
    return BigDecimal.valueOf(value).setScale(4, RoundingMode.HALF_EVEN);
  }

  private static long served(BinancePmSimulator simulator) {
    return simulator.accounts().stream().mapToLong(SimulatedAccount::servedCount).sum();
  }

  private static Optional<Long> await(CompletableFuture<Long> future, Duration timeout)
      throws InterruptedException {
    try {
      return Optional.of(future.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the detect consumer failed", e.getCause());
    }
  }

  private static void consume(
      BenchContext context,
      HttpSchemaRegistryClient registry,
      Topics topics,
      String run,
      AtomicBoolean consuming,
      Seen seen) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "pmas-bench-" + run);
    try (KafkaConsumer<String, UniMmrLevelEvent> consumer =
        new KafkaConsumer<>(
            props,
            new StringDeserializer(),
            new ConfluentAvroDeserializer<>(registry, UniMmrLevelEvent.class))) {
      consumer.assign(Offsets.partitions(topics.lowUniMmr(), context.partitions()));
      consumer.seekToBeginning(consumer.assignment());
      while (consuming.get()) {
        for (ConsumerRecord<String, UniMmrLevelEvent> r : consumer.poll(Duration.ofMillis(5))) {
          long now = System.nanoTime();
          UniMmrLevelEvent event = r.value();
          seen.eventIds.merge(event.getEventId(), 1, Integer::sum);
          if (event.getLevel().compareTo(LEVEL) != 0) {
            continue;
          }
          Key key = new Key(event.getAccountId(), event.getUpdateTime().toEpochMilli());
          if (event.getKind() == LevelEventKind.BREACHED) {
            seen.breachedCount.merge(key, 1, Integer::sum);
            seen.breached(key).complete(now);
          } else if (event.getKind() == LevelEventKind.RECOVERED) {
            seen.recovered(key).complete(now);
          }
        }
      }
    }
  }

  private static PollerApp startPoller(
      BenchContext context,
      BinancePmSimulator simulator,
      Topics topics,
      Mode mode,
      String run,
      SimpleMeterRegistry meters)
      throws Exception {
    Path credentials = context.workDir().resolve(run + ".properties");
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
    flags.put(Topics.RISK_LEVEL_CHANGES.name(), topics.riskLevelChanges());
    flags.put("binance.weight.limit.per.minute", Integer.toString(WEIGHT_LIMIT));
    flags.put("poller.instance.id", "bench-" + run);
    if (mode.adaptive()) {
      flags.put("poll.adaptive", "true");
      flags.put("poll.interval", mode.max().toMillis() + "ms");
      flags.put("poll.interval.max", mode.max().toMillis() + "ms");
    } else {
      flags.put("poll.adaptive", "false");
      flags.put("poll.interval", mode.max().toMillis() + "ms");
    }
    if (mode.push()) {
      flags.put("binance.user.stream.enabled", "true");
      flags.put("binance.ws.base.url", simulator.wsBaseUrl());
    }
    PollerApp app =
        PollerApp.create(
            PollerApp.Settings.from(
                new ConfigReader(Settings.load(Optional.of(credentials), Map.of(), flags))),
            meters);
    app.start();
    return app;
  }
}
