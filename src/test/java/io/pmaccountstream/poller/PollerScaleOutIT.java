package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
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
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pollers share 30 accounts through their consumer group: each {@code poll} runs in a JVM of its
 * own (so that one can be killed for real), against the simulator, the real broker and registry,
 * with the shipped group defaults (6 s session, 2 s heartbeat).
 */
class PollerScaleOutIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final int ACCOUNTS = 30;
  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final Duration TAKE_OVER_LIMIT = Duration.ofSeconds(15);

  @TempDir Path work;

  private final List<Process> children = new ArrayList<>();
  private final Map<String, Process> byName = new HashMap<>();
  private final List<ConsumerRecord<String, AccountSnapshot>> seen = new CopyOnWriteArrayList<>();
  private BinancePmSimulator simulator;
  private Path logs;
  private String snapshots;
  private String group;
  private Thread reader;
  private volatile boolean reading = true;

  @BeforeEach
  void setUp() {
    simulator =
        BinancePmSimulator.builder()
            .scenario("calm")
            .accounts(ACCOUNTS)
            .seed(11)
            .weightLimit(1_000_000)
            .faults(FaultConfig.none())
            .build()
            .start();
    snapshots = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("scale-snapshots"), 6);
    group = KafkaBrokerExtension.uniqueTopic("scale-group");
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Process child : children) {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
    reading = false;
    if (reader != null) {
      reader.join(10_000);
    }
    if (simulator != null) {
      simulator.close();
    }
  }

  @Test
  void
      instancesShareTheAccountsTakeOverAKilledOnesHandAccountsToAJoiningOneAndToTheOthersOnSigterm()
          throws Exception {
    startReading();
    // The first instance registers the value schema before the others start: three first sends
    // registering at once make the test registry (Apicurio on H2) answer 500 on a table lock,
    // and the publisher treats a registry 5xx as fatal for that snapshot (see the report).
    startChild("poller-1");
    await().atMost(Duration.ofSeconds(60)).until(() -> !seen.isEmpty());
    startChild("poller-2");
    startChild("poller-3");

    // steady state: every account polled by exactly one of the three
    Map<String, String> owners = awaitSteadyOwners(Set.of("poller-1", "poller-2", "poller-3"));
    awaitOneStreamPerAccount("three instances");
    Set<String> ofKilled = accountsOf(owners, "poller-1");
    assertThat(ofKilled).isNotEmpty();

    Instant killedAt = Instant.now();
    long killedNanos = System.nanoTime();
    kill("poller-1");
    await()
        .atMost(TAKE_OVER_LIMIT.plusSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> polledByOthersSince(ofKilled, killedAt, "poller-1"));
    Duration takeOver = Duration.ofNanos(System.nanoTime() - killedNanos);
    assertThat(takeOver).isLessThan(TAKE_OVER_LIMIT);

    startChild("poller-4");
    Map<String, String> after = awaitSteadyOwners(Set.of("poller-2", "poller-3", "poller-4"));
    awaitOneStreamPerAccount("after a kill -9 and a join");
    assertThat(accountsOf(after, "poller-4")).isNotEmpty();

    // SIGTERM: the instance leaves the group (static member or not) after flushing, so its
    // accounts move at once, well before its session would have expired
    Set<String> ofStopped = accountsOf(after, "poller-2");
    Instant stoppedAt = Instant.now();
    long stoppedNanos = System.nanoTime();
    byName.get("poller-2").destroy();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> polledByOthersSince(ofStopped, stoppedAt, "poller-2"));
    assertThat(Duration.ofNanos(System.nanoTime() - stoppedNanos))
        .as("take-over after SIGTERM")
        .isLessThan(Duration.ofSeconds(6));
    assertThat(byName.get("poller-2").waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(logs.resolve("poller-2.log")))
        .as("poller-2's log")
        .contains("poller stopped; 0 snapshot(s) unsent");

    // let the new owners publish some more, then check the whole history
    Thread.sleep(3 * INTERVAL.toMillis());
    Map<String, List<AccountSnapshot>> history = historyByAccount();
    assertThat(history).hasSize(ACCOUNTS);
    for (Map.Entry<String, List<AccountSnapshot>> e : history.entrySet()) {
      List<AccountSnapshot> h = e.getValue();
      // sequences continue from the topic across every hand-over: 1, 2, 3, … with no gap and no
      // duplicate (what a killed instance had not yet sent was never on the topic)
      List<Long> sequences = h.stream().map(AccountSnapshot::getSequence).toList();
      List<Long> expected = new ArrayList<>();
      for (long s = 1; s <= h.size(); s++) {
        expected.add(s);
      }
      assertThat(sequences).as("sequences of %s", e.getKey()).isEqualTo(expected);
      // observation times never go back within one owner's run; across a hand-over they may by
      // the difference of the two instances' server-clock estimates (observedAt is on each
      // instance's own estimate of Binance's clock: a few ms apart, 10 ms seen once), never more
      for (int i = 1; i < h.size(); i++) {
        boolean sameOwner =
            h.get(i).getPollerInstanceId().equals(h.get(i - 1).getPollerInstanceId());
        Instant floor =
            sameOwner
                ? h.get(i - 1).getObservedAt()
                : h.get(i - 1).getObservedAt().minus(CLOCK_ESTIMATES_APART);
        assertThat(h.get(i).getObservedAt())
            .as("observedAt of %s #%d (%s)", e.getKey(), i, sameOwner ? "same owner" : "hand-over")
            .isAfterOrEqualTo(floor);
      }
      List<String> runs = ownerRuns(h);
      assertThat(runs).as("owners of %s in order", e.getKey()).doesNotHaveDuplicates();
      assertDoublePollingAtMostOneInterval(e.getKey(), h);
    }
  }

  /**
   * Where the owner changes, the old owner's last poll is at most one interval after the new one's
   * first.
   */
  /** How far two instances' estimates of the server clock may be apart on one machine. */
  private static final Duration CLOCK_ESTIMATES_APART = Duration.ofMillis(250);

  private static void assertDoublePollingAtMostOneInterval(
      String account, List<AccountSnapshot> h) {
    for (int i = 1; i < h.size(); i++) {
      String before = h.get(i - 1).getPollerInstanceId();
      String now = h.get(i).getPollerInstanceId();
      if (!before.equals(now)) {
        Instant lastOld = h.get(i - 1).getObservedAt();
        Instant firstNew = h.get(i).getObservedAt();
        assertThat(Duration.between(firstNew, lastOld))
            .as("double polling of %s from %s to %s", account, before, now)
            .isLessThanOrEqualTo(INTERVAL);
      }
    }
  }

  private static List<String> ownerRuns(List<AccountSnapshot> h) {
    List<String> runs = new ArrayList<>();
    for (AccountSnapshot s : h) {
      String id = s.getPollerInstanceId();
      if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(id)) {
        runs.add(id);
      }
    }
    return runs;
  }

  /**
   * Waits until, over the last three intervals, all accounts were published, each by exactly one
   * instance, and every expected instance polls some; returns the owner of each account.
   */
  private Map<String, String> awaitSteadyOwners(Set<String> instances) {
    Map<String, String> owners = new TreeMap<>();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Instant since = Instant.now().minus(INTERVAL.multipliedBy(3));
              Map<String, Set<String>> recent = new TreeMap<>();
              for (ConsumerRecord<String, AccountSnapshot> r : seen) {
                if (r.value().getObservedAt().isAfter(since)) {
                  recent
                      .computeIfAbsent(r.key(), k -> new TreeSet<>())
                      .add(r.value().getPollerInstanceId());
                }
              }
              boolean steady =
                  recent.size() == ACCOUNTS
                      && recent.values().stream().allMatch(s -> s.size() == 1)
                      && recent.values().stream()
                          .map(s -> s.iterator().next())
                          .collect(Collectors.toSet())
                          .equals(instances);
              if (steady) {
                owners.clear();
                recent.forEach((account, ids) -> owners.put(account, ids.iterator().next()));
              }
              return steady;
            });
    return owners;
  }

  private static Set<String> accountsOf(Map<String, String> owners, String instance) {
    return owners.entrySet().stream()
        .filter(e -> e.getValue().equals(instance))
        .map(Map.Entry::getKey)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private boolean polledByOthersSince(Set<String> accounts, Instant since, String gone) {
    Set<String> polled = new HashSet<>();
    for (ConsumerRecord<String, AccountSnapshot> r : seen) {
      if (accounts.contains(r.key())
          && r.value().getObservedAt().isAfter(since)
          && !r.value().getPollerInstanceId().equals(gone)) {
        polled.add(r.key());
      }
    }
    return polled.containsAll(accounts);
  }

  /** Each account's snapshots in topic order (one partition per account: offset order). */
  private Map<String, List<AccountSnapshot>> historyByAccount() {
    Map<String, List<ConsumerRecord<String, AccountSnapshot>>> byAccount = new LinkedHashMap<>();
    for (ConsumerRecord<String, AccountSnapshot> r : seen) {
      byAccount.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
    }
    Map<String, List<AccountSnapshot>> history = new TreeMap<>();
    byAccount.forEach(
        (account, records) ->
            history.put(
                account,
                records.stream()
                    .sorted((a, b) -> Long.compare(a.offset(), b.offset()))
                    .map(ConsumerRecord::value)
                    .toList()));
    return history;
  }

  private void startReading() {
    KafkaConsumer<String, AccountSnapshot> consumer =
        PollerFixture.snapshotConsumer(kafka.bootstrapServers(), registry.url());
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < 6; p++) {
      partitions.add(new TopicPartition(snapshots, p));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    reader =
        new Thread(
            () -> {
              try (consumer) {
                while (reading) {
                  consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                }
              }
            },
            "snapshot-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void kill(String name) throws InterruptedException {
    Process child = byName.get(name);
    child.destroyForcibly();
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * Every account's user-data stream open exactly once: its owner opened it, a former owner closed
   * it (or died, and the broken connection went with it).
   */
  private void awaitOneStreamPerAccount(String when) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              Map<String, Integer> open = new TreeMap<>();
              simulator.accounts().forEach(a -> open.put(a.id(), simulator.openStreams(a.id())));
              assertThat(open.values())
                  .as("open user-data streams per account, %s: %s", when, open)
                  .containsOnly(1);
            });
  }

  /** {@code pm-account-stream poll} in a JVM of its own, with the shipped group defaults. */
  private void startChild(String name) throws IOException {
    Path config = work.resolve(name + ".properties");
    simulator.writeCredentials(config);
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(config)) {
      properties.load(in);
    }
    properties.put("bootstrap.servers", kafka.bootstrapServers());
    properties.put("schema.registry.url", registry.url());
    properties.put("binance.base.url", simulator.baseUrl());
    properties.put("binance.time.url", simulator.baseUrl() + "/fapi/v1/time");
    properties.put("binance.weight.limit.per.minute", "1000000");
    properties.put("topic.snapshots", snapshots);
    properties.put("topic.dlq", snapshots + "-dlq");
    properties.put("poll.interval", INTERVAL.toMillis() + "ms");
    properties.put("poll.jitter", "0");
    properties.put("poll.emit", "every-poll");
    properties.put("poll.max.concurrent", "4");
    properties.put("poller.instance.id", name);
    // each owner opens the user-data streams of its accounts, and closes them when they move
    properties.put("binance.user.stream.enabled", "true");
    properties.put("binance.ws.base.url", simulator.wsBaseUrl());
    properties.put("poller.group.id", group);
    properties.put("poller.assignment.topic", group + "-assignment");
    properties.put("ops.http.port", "0");
    try (var out = Files.newBufferedWriter(config)) {
      properties.store(out, "poller scale-out IT " + name);
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    logs = Path.of("target", "it-logs", group);
    Files.createDirectories(logs);
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-Xmx160m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "io.pmaccountstream.cli.Main",
                "poll",
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve(name + ".log").toFile())
            .start();
    children.add(child);
    byName.put(name, child);
  }
}
