package io.pmaccountstream.streams;

import static io.pmaccountstream.streams.DeriveItSupport.readAll;
import static io.pmaccountstream.streams.DeriveItSupport.values;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.HostileAnswer;
import io.pmaccountstream.simulator.HostileCorpus;
import io.pmaccountstream.simulator.ServedAnswer;
import io.pmaccountstream.simulator.SimulatedAccount;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.streams.DeriveItSupport.Outputs;
import io.pmaccountstream.testing.AppProcess;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.PrometheusText;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import io.pmaccountstream.testing.ServeAccounting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Never blind (issue 13): the poller and derive, each in its own JVM as an operator runs them,
 * against the simulator serving its whole hostile corpus interleaved with good states, on the real
 * broker and registry. Every answer the simulator served is accounted for: each good state reaches
 * the snapshot topic within two poll intervals; each bad answer is a dead letter or a classified,
 * counted request in the poller's metrics; the derived events (read_committed) are the plain
 * derivation of the good states; both processes are alive and ready at the end, and every account
 * is still polled after the hostile phase ends. Every problem found is listed, not just the first.
 */
class HostileInputIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final Duration INTERVAL = Duration.ofMillis(500);
  private static final Duration PUBLISH_DEADLINE = INTERVAL.multipliedBy(2);

  /**
   * The first seconds of a run pay once for the producer's metadata and id and the schema's
   * registration, while the derive JVM starts beside it: states served then may take this much
   * longer. Every later state must make {@link #PUBLISH_DEADLINE}.
   */
  private static final Duration STARTUP_WINDOW = Duration.ofSeconds(5);

  private static final Duration STARTUP_ALLOWANCE = Duration.ofSeconds(3);
  private static final int ACCOUNTS = 6;
  private static final double HOSTILE_RATE = 0.3;
  private static final Duration DRIP = Duration.ofSeconds(25);
  private static final Duration CORPUS_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(90);
  private static final int GOOD_AFTER_HOSTILE = 4;
  private static final List<String> CHILD_JVM = List.of("-Xmx384m", "-XX:+UseSerialGC");

  @TempDir Path dir;

  private final Topics topics = DeriveItSupport.uniqueTopics();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ObjectMapper json = new ObjectMapper();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void accountsForEveryHostileAnswerAndDerivesExactlyTheGoodStates() throws Exception {
    kafka.createTopic(topics.snapshots(), 2);
    kafka.createTopic(topics.deadLetter(), 1);
    BinancePmSimulator simulator =
        BinancePmSimulator.builder()
            .scenario("margin-call")
            .accounts(ACCOUNTS)
            .seed(13)
            .speed(20)
            .weightLimit(1_000_000)
            .faults(FaultConfig.none().withHostileRate(HOSTILE_RATE).withHostileDrip(DRIP))
            .build()
            .start();
    AtomicBoolean simulatorOpen = new AtomicBoolean(true);
    toClose.add(
        () -> {
          if (simulatorOpen.getAndSet(false)) {
            simulator.close();
          }
        });

    String applicationId = "it-hostile-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> deriveFlags =
        DeriveItSupport.flags(
            kafka.bootstrapServers(), registry.url(), topics, applicationId, dir.resolve("state"));
    HttpSchemaRegistryClient client =
        HttpSchemaRegistryClient.from(DeriveItSupport.settings(deriveFlags).connection());
    toClose.add(client);
    DerivationSerdes serdes = DerivationSerdes.create(client);
    SnapshotTail tail = new SnapshotTail(kafka.bootstrapServers(), topics.snapshots(), serdes);
    toClose.add(tail);

    AppProcess derive = AppProcess.start("derive", "derive", deriveFlags, dir, CHILD_JVM);
    toClose.add(derive);
    AppProcess poller = AppProcess.start("poll", "poll", pollerSettings(simulator), dir, CHILD_JVM);
    toClose.add(poller);

    SoftAssertions softly = new SoftAssertions();

    // Phase 1: hostile answers until every entry of the corpus has been served at least once.
    Set<String> corpus =
        HostileCorpus.entries().stream()
            .map(HostileAnswer::name)
            .collect(Collectors.toCollection(TreeSet::new));
    boolean covered =
        awaitCondition(CORPUS_TIMEOUT, () -> servedHostile(simulator).containsAll(corpus));
    Set<String> neverServed = new TreeSet<>(corpus);
    neverServed.removeAll(servedHostile(simulator));
    softly
        .assertThat(neverServed)
        .as(
            "corpus entries never served within %s (polling stalled?); last answer per account:"
                + " %s",
            CORPUS_TIMEOUT, lastAnswers(simulator))
        .isEmpty();

    // Phase 2: good states only; every account must be polled again, without a restart.
    simulator.setHostileAnswers(false);
    long hostileEnd = simulator.serveLog().size();
    boolean recovered =
        awaitCondition(
            RECOVERY_TIMEOUT,
            () ->
                goodAfter(simulator, hostileEnd).values().stream()
                        .allMatch(n -> n >= GOOD_AFTER_HOSTILE)
                    && goodAfter(simulator, hostileEnd).size() == ACCOUNTS);
    Map<String, Integer> goodAfter = goodAfter(simulator, hostileEnd);
    for (SimulatedAccount account : simulator.accounts()) {
      softly
          .assertThat(goodAfter.getOrDefault(account.id(), 0))
          .as(
              "%s: good states served in the %s after the hostile phase ended (the account must"
                  + " keep being polled); its last hostile answers: %s",
              account.id(), RECOVERY_TIMEOUT, lastHostile(simulator, account.id(), 3))
          .isGreaterThanOrEqualTo(GOOD_AFTER_HOSTILE);
    }

    // Both processes alive and ready at the end of the run.
    for (AppProcess app : List.of(poller, derive)) {
      softly
          .assertThat(app.isAlive())
          .as("%s process alive; log tail:%n%s", app.name(), tailOf(app))
          .isTrue();
      AppProcess.Answer live = app.live();
      AppProcess.Answer ready = app.ready();
      softly
          .assertThat(live.status())
          .as("%s /health/live: %s", app.name(), live.body())
          .isEqualTo(200);
      softly
          .assertThat(ready.status())
          .as("%s /health/ready: %s", app.name(), ready.body())
          .isEqualTo(200);
    }

    // Freeze what was served: no answer after this; then read what the poller counted.
    simulatorOpen.set(false);
    simulator.close();
    List<ServedAnswer> log = simulator.serveLog().all();
    Thread.sleep(INTERVAL.multipliedBy(4).toMillis());
    String metrics = poller.isAlive() ? poller.metrics() : "";
    int pollerExit = poller.stop(Duration.ofSeconds(30));
    softly
        .assertThat(pollerExit)
        .as(
            "poller exit code on SIGTERM: 0 or 143 (ended by the signal, hooks run), not 137 (killed"
                + " after 30 s); log tail:%n%s",
            tailOf(poller))
        .isIn(0, 143);

    // Counted: every answer is in the client's request counter, under its status.
    Map<String, Long> expectedCounts = ServeAccounting.countsByClientTag(log);
    Map<String, Double> clientCounts =
        PrometheusText.byLabel(metrics, "pmas_binance_requests_seconds_count", "status");
    for (Map.Entry<String, Long> count : expectedCounts.entrySet()) {
      double counted = clientCounts.getOrDefault(count.getKey(), 0.0);
      String served = describeTag(log, count.getKey());
      if (count.getKey().equals("io_error")) {
        softly
            .assertThat(counted)
            .as(
                "requests the poller counted as io_error (answers that never completed: %s)",
                served)
            .isGreaterThanOrEqualTo(count.getValue().doubleValue());
      } else {
        softly
            .assertThat(counted)
            .as(
                "requests the poller counted with status %s (the simulator served %s: %s)",
                count.getKey(), count.getValue(), served)
            .isEqualTo(count.getValue().doubleValue());
      }
    }
    for (String tag : clientCounts.keySet()) {
      if (!expectedCounts.containsKey(tag) && !tag.equals("io_error")) {
        softly
            .assertThat(clientCounts.get(tag))
            .as("requests the poller counted with status %s, which the simulator never served", tag)
            .isZero();
      }
    }

    // Good states published in time, bad answers dead-lettered, nothing published twice or
    // invented.
    Map<String, List<ServeAccounting.Published>> published = tail.awaitEnd(Duration.ofSeconds(30));
    Map<String, List<ServeAccounting.Letter>> letters = deadLetters();
    ServeAccounting.Result accounting =
        ServeAccounting.account(
            log, published, letters, PUBLISH_DEADLINE, STARTUP_WINDOW, STARTUP_ALLOWANCE);
    softly
        .assertThat(accounting.problems())
        .as(
            "answers not accounted for (good served per account %s, hostile served %s, dead letters"
                + " %s)",
            accounting.goodServed(), accounting.hostileServed(), letterSummary(letters))
        .isEmpty();

    // Derived events equal the plain derivation of the good states, read_committed.
    List<AccountSnapshot> goodStates = new ArrayList<>();
    accounting.acceptedStates().values().forEach(goodStates::addAll);
    Outputs expected = DeriveItSupport.expected(goodStates, DerivationConfig.defaults());
    Map<String, List<Object>> transitions = new TreeMap<>();
    Map<String, List<Object>> levels = new TreeMap<>();
    awaitCondition(
        DeriveItSupport.OUTPUT_TIMEOUT,
        () -> {
          transitions.clear();
          levels.clear();
          transitions.putAll(
              Outputs.byAccount(
                  values(
                      readAll(
                          kafka.bootstrapServers(),
                          topics.statusTransitions(),
                          serdes.transition(),
                          true))));
          levels.putAll(
              Outputs.byAccount(
                  values(
                      readAll(
                          kafka.bootstrapServers(),
                          topics.lowUniMmr(),
                          serdes.levelEvent(),
                          true))));
          return transitions.equals(new TreeMap<>(Outputs.byAccount(expected.transitions)))
              && levels.equals(new TreeMap<>(Outputs.byAccount(expected.levelEvents)));
        });
    softly
        .assertThat(transitions)
        .as(
            "status transitions derived (read_committed) vs the plain derivation of the good states")
        .isEqualTo(new TreeMap<>(Outputs.byAccount(expected.transitions)));
    softly
        .assertThat(levels)
        .as(
            "uniMMR level events derived (read_committed) vs the plain derivation of the good states")
        .isEqualTo(new TreeMap<>(Outputs.byAccount(expected.levelEvents)));
    softly
        .assertThat(derive.isAlive())
        .as("derive alive after the run; log tail:%n%s", tailOf(derive))
        .isTrue();
    AppProcess.Answer deriveReady = derive.ready();
    softly
        .assertThat(deriveReady.status())
        .as("derive /health/ready after the run: %s", deriveReady.body())
        .isEqualTo(200);
    softly
        .assertThat(covered && recovered)
        .as(
            "corpus covered within %s and every account polled again within %s",
            CORPUS_TIMEOUT, RECOVERY_TIMEOUT)
        .isTrue();
    writeReport(log, accounting, expectedCounts, clientCounts);
    softly.assertAll();
  }

  private Map<String, String> pollerSettings(BinancePmSimulator simulator) throws IOException {
    Path credentials = dir.resolve("credentials.properties");
    simulator.writeCredentials(credentials);
    Properties props = new Properties();
    try (var in = Files.newBufferedReader(credentials)) {
      props.load(in);
    }
    Map<String, String> settings = new LinkedHashMap<>();
    props.forEach((k, v) -> settings.put((String) k, (String) v));
    settings.put("binance.time.url", simulator.baseUrl() + "/fapi/v1/time");
    settings.put("binance.weight.limit.per.minute", "1000000");
    // The pauses the corpus provokes, shortened so that one run covers it (the mechanisms, not
    // their lengths, are under test here; the defaults are unit-tested): a 429 pauses every
    // account, a fatal-looking answer pauses its own.
    settings.put("binance.rate.limit.max.pause", "5s");
    settings.put("poll.fatal.backoff.initial", "5s");
    settings.put("poll.fatal.backoff.max", "20s");
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    settings.put("schema.registry.url", registry.url());
    settings.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    settings.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    settings.put("poll.interval", INTERVAL.toMillis() + "ms");
    settings.put("poll.jitter", "0");
    settings.put("poll.emit", "every-poll");
    return settings;
  }

  private static Set<String> servedHostile(BinancePmSimulator simulator) {
    return simulator.serveLog().all().stream()
        .filter(a -> a.kind() == ServedAnswer.Kind.HOSTILE)
        .map(ServedAnswer::name)
        .collect(Collectors.toSet());
  }

  private static Map<String, Integer> goodAfter(BinancePmSimulator simulator, long seq) {
    Map<String, Integer> good = new TreeMap<>();
    for (ServedAnswer a : simulator.serveLog().all()) {
      if (a.seq() > seq && a.isGood()) {
        good.merge(a.accountId(), 1, Integer::sum);
      }
    }
    return good;
  }

  private static Map<String, String> lastAnswers(BinancePmSimulator simulator) {
    Map<String, String> last = new TreeMap<>();
    for (ServedAnswer a : simulator.serveLog().all()) {
      last.put(a.accountId(), a.describe());
    }
    return last;
  }

  private static List<String> lastHostile(BinancePmSimulator simulator, String account, int n) {
    List<String> hostile =
        simulator.serveLog().of(account).stream()
            .filter(a -> !a.isGood())
            .map(ServedAnswer::describe)
            .toList();
    return hostile.subList(Math.max(0, hostile.size() - n), hostile.size());
  }

  private static String describeTag(List<ServedAnswer> log, String tag) {
    Map<String, Long> names = new TreeMap<>();
    for (ServedAnswer a : log) {
      if (ServeAccounting.clientTag(a).equals(tag) && !a.isGood()) {
        names.merge(a.name(), 1L, Long::sum);
      }
    }
    return names.isEmpty() ? "good states only" : names.toString();
  }

  private Map<String, List<ServeAccounting.Letter>> deadLetters() throws IOException {
    Map<String, List<ServeAccounting.Letter>> letters = new TreeMap<>();
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topics.deadLetter(), Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topics.deadLetter(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          JsonNode letter = json.readTree(r.value());
          letters
              .computeIfAbsent(letter.path("accountId").asText(), a -> new ArrayList<>())
              .add(
                  new ServeAccounting.Letter(
                      letter.path("errorKind").asText(),
                      letter.path("rawBody").isNull() ? null : letter.path("rawBody").asText(),
                      letter.path("message").asText()));
        }
      }
    }
    return letters;
  }

  private static Map<String, Map<String, Long>> letterSummary(
      Map<String, List<ServeAccounting.Letter>> letters) {
    Map<String, Map<String, Long>> summary = new TreeMap<>();
    letters.forEach(
        (account, list) ->
            summary.put(
                account,
                list.stream()
                    .collect(
                        Collectors.groupingBy(
                            ServeAccounting.Letter::errorKind,
                            TreeMap::new,
                            Collectors.counting()))));
    return summary;
  }

  /** Per-entry counts, for the lead's report: target/hostile-input-report.txt. */
  private void writeReport(
      List<ServedAnswer> log,
      ServeAccounting.Result accounting,
      Map<String, Long> expectedCounts,
      Map<String, Double> clientCounts)
      throws IOException {
    StringBuilder report = new StringBuilder();
    Map<String, Long> byName = new TreeMap<>();
    log.forEach(a -> byName.merge(a.name(), 1L, Long::sum));
    report.append("answers served by name: ").append(byName).append('\n');
    report.append("client tags expected: ").append(expectedCounts).append('\n');
    report.append("client tags counted:  ").append(clientCounts).append('\n');
    report.append("problems (").append(accounting.problems().size()).append("):\n");
    accounting.problems().forEach(p -> report.append("  ").append(p).append('\n'));
    Path out = Path.of("target", "hostile-input-report.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }

  private static String tailOf(AppProcess app) {
    return app.logTail(30);
  }

  /**
   * Whether the condition holds within the timeout, looked at every 500 ms; false instead of a
   * failure, so that the soft assertions after the wait report what is missing.
   */
  private static boolean awaitCondition(Duration timeout, BooleanSupplier condition) {
    try {
      await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(500))
          .until(condition::getAsBoolean);
      return true;
    } catch (ConditionTimeoutException e) {
      return condition.getAsBoolean();
    }
  }

  /**
   * Reads the snapshot topic read_committed as it grows, noting when each record became readable.
   */
  private static final class SnapshotTail implements AutoCloseable {
    private final List<ServeAccounting.Published> records = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private final KafkaConsumer<String, AccountSnapshot> consumer;
    private final String topic;
    private volatile boolean stop;

    SnapshotTail(String bootstrap, String topic, DerivationSerdes serdes) {
      this.topic = topic;
      Map<String, Object> config = new HashMap<>();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      consumer =
          new KafkaConsumer<>(config, new StringDeserializer(), serdes.snapshot().deserializer());
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      thread = new Thread(this::run, "snapshot-tail");
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      while (!stop) {
        for (ConsumerRecord<String, AccountSnapshot> r : consumer.poll(Duration.ofMillis(50))) {
          records.add(new ServeAccounting.Published(r.value(), Instant.now()));
        }
      }
    }

    /** Waits until the tail has read up to the topic's end, then groups per account in order. */
    Map<String, List<ServeAccounting.Published>> awaitEnd(Duration timeout)
        throws InterruptedException {
      Map<String, Object> config = new HashMap<>();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      long total;
      try (KafkaConsumer<String, String> probe =
          new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
        List<TopicPartition> partitions =
            probe.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        total = probe.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
      }
      long limit = total;
      awaitCondition(timeout, () -> records.size() >= limit);
      Map<String, List<ServeAccounting.Published>> byAccount = new TreeMap<>();
      for (ServeAccounting.Published p : records) {
        byAccount.computeIfAbsent(p.snapshot().getAccountId(), a -> new ArrayList<>()).add(p);
      }
      return byAccount;
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.join(5_000);
      consumer.close();
    }
  }
}
