package io.pmaccountstream.streams;

import static io.pmaccountstream.streams.DeriveItSupport.readAll;
import static io.pmaccountstream.streams.DeriveItSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.LevelEventKind;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.SimulatedAccount;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.streams.DeriveItSupport.Outputs;
import io.pmaccountstream.testing.AppProcess;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.PrometheusText;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.math.BigDecimal;
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
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The push path end to end, as an operator runs it: {@code poll} (with the user-data stream) and
 * {@code derive}, each in its own JVM with the shipped latency defaults, the simulator's REST and
 * WebSocket endpoints, the real broker and registry. {@code poll.interval} is a minute and fixed,
 * so only the stream can bring a crossing of 1.2 sooner: each crossing is a committed level event
 * within 2 s of the simulator's change (issue 16), and the derived events are exactly the plain
 * derivation of the published snapshots.
 */
class PushPipelineIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final Duration DETECT_WITHIN = Duration.ofSeconds(2);
  private static final BigDecimal LEVEL = new BigDecimal("1.20000000");
  private static final List<String> CHILD_JVM = List.of("-Xmx384m", "-XX:+UseSerialGC");

  @TempDir Path dir;

  private final Topics topics = DeriveItSupport.uniqueTopics();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void aCrossingIsDerivedWithinTwoSecondsThroughThePushPathWhilePollingIsAMinute()
      throws Exception {
    kafka.createTopic(topics.snapshots(), 3);
    BinancePmSimulator sim =
        BinancePmSimulator.builder()
            .scenario("calm")
            .accounts(3)
            .seed(16)
            .faults(FaultConfig.none())
            .build()
            .start();
    toClose.add(sim);
    SimulatedAccount alice = sim.accounts().get(0);
    SimulatedAccount bob = sim.accounts().get(1);
    SimulatedAccount carol = sim.accounts().get(2);
    alice.set("2.00000000");
    bob.set("2.50000000");
    carol.set("3.00000000");

    String applicationId = "it-push-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> deriveFlags =
        DeriveItSupport.flags(
            kafka.bootstrapServers(), registry.url(), topics, applicationId, dir.resolve("state"));
    // the shipped latency defaults, not the ITs' shortened commit interval
    deriveFlags.remove(DeriveConfig.COMMIT_INTERVAL.name());
    HttpSchemaRegistryClient client =
        HttpSchemaRegistryClient.from(DeriveItSupport.settings(deriveFlags).connection());
    toClose.add(client);
    DerivationSerdes serdes = DerivationSerdes.create(client);
    LevelTail levels = new LevelTail(kafka.bootstrapServers(), topics.lowUniMmr(), serdes);

    AppProcess derive = AppProcess.start("derive", "derive", deriveFlags, dir, CHILD_JVM);
    toClose.add(derive);
    AppProcess poller = AppProcess.start("poll", "poll", pollerSettings(sim), dir, CHILD_JVM);
    toClose.add(poller);

    // Every account polled once, its stream open, derive running: then the changes.
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                sim.accounts().stream().allMatch(a -> a.servedCount() >= 1)
                    && connectedStreams(poller) == 3
                    && derive.ready().status() == 200);
    toClose.add(0, levels);
    levels.start();

    List<Crossing> crossings = new ArrayList<>();
    crossings.add(cross(alice, "1.15000000", LevelEventKind.BREACHED, levels));
    crossings.add(cross(bob, "1.10000000", LevelEventKind.BREACHED, levels));
    crossings.add(cross(alice, "1.30000000", LevelEventKind.RECOVERED, levels));
    crossings.add(cross(carol, "1.19000000", LevelEventKind.BREACHED, levels));

    Files.createDirectories(Path.of("target"));
    Files.writeString(
        Path.of("target", "push-pipeline-report.txt"), "crossings: " + crossings + "\n");
    for (Crossing c : crossings) {
      assertThat(c.took())
          .as("%s: from the simulator's change to the committed level event", c)
          .isLessThanOrEqualTo(DETECT_WITHIN);
    }
    String metrics = poller.metrics();
    Map<String, Double> pushPolls =
        PrometheusText.byLabel(metrics, "pmas_poll_push_polls_total", "account");
    assertThat(pushPolls.getOrDefault(alice.id(), 0.0))
        .as("alice's crossings came through push-triggered polls (metrics: %s)", pushPolls)
        .isGreaterThanOrEqualTo(2.0);
    assertThat(pushPolls.getOrDefault(bob.id(), 0.0)).isGreaterThanOrEqualTo(1.0);

    // Exact: the derived level events are the plain derivation of what was published.
    List<AccountSnapshot> published =
        new ArrayList<>(
            values(readAll(kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), true))
                .stream()
                .map(AccountSnapshot.class::cast)
                .toList());
    Outputs expected = DeriveItSupport.expected(published, DerivationConfig.defaults());
    Map<String, List<Object>> derived =
        new TreeMap<>(
            Outputs.byAccount(
                values(
                    readAll(
                        kafka.bootstrapServers(), topics.lowUniMmr(), serdes.levelEvent(), true))));
    assertThat(derived).isEqualTo(new TreeMap<>(Outputs.byAccount(expected.levelEvents)));
    assertThat(poller.isAlive()).as("poller alive; log:%n%s", poller.logTail(30)).isTrue();
  }

  /** One scripted crossing of 1.2: when the simulator changed, when its event was readable. */
  private record Crossing(String account, String uniMmr, Instant changed, Instant readable) {
    Duration took() {
      return Duration.between(changed, readable);
    }

    @Override
    public String toString() {
      return account + " to " + uniMmr + " (" + took().toMillis() + " ms)";
    }
  }

  private static Crossing cross(
      SimulatedAccount account, String uniMmr, LevelEventKind kind, LevelTail levels) {
    int before = levels.count(account.id(), kind);
    Instant changed = Instant.now();
    account.set(uniMmr);
    Instant readable =
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> levels.readableAt(account.id(), kind, before), r -> r != null);
    return new Crossing(account.id(), uniMmr, changed, readable);
  }

  private static double connectedStreams(AppProcess poller) {
    if (!poller.isAlive()) {
      return 0;
    }
    return PrometheusText.byLabel(poller.metrics(), "pmas_userdata_connected", "account")
        .values()
        .stream()
        .mapToDouble(Double::doubleValue)
        .sum();
  }

  private Map<String, String> pollerSettings(BinancePmSimulator sim) throws IOException {
    Path credentials = dir.resolve("credentials.properties");
    sim.writeCredentials(credentials);
    Properties props = new Properties();
    try (var in = Files.newBufferedReader(credentials)) {
      props.load(in);
    }
    Map<String, String> settings = new LinkedHashMap<>();
    props.forEach((k, v) -> settings.put((String) k, (String) v));
    settings.put("binance.time.url", sim.baseUrl() + "/fapi/v1/time");
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    settings.put("schema.registry.url", registry.url());
    settings.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    settings.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    settings.put(Topics.RISK_LEVEL_CHANGES.name(), "it-push-risk-" + UUID.randomUUID());
    settings.put("poll.interval", "60s");
    settings.put("poll.adaptive", "false");
    settings.put("binance.user.stream.enabled", "true");
    settings.put("binance.ws.base.url", sim.wsBaseUrl());
    return settings;
  }

  /** Reads the level-event topic read_committed as it grows, noting when each became readable. */
  private static final class LevelTail implements AutoCloseable {
    private record Seen(UniMmrLevelEvent event, Instant at) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, UniMmrLevelEvent> consumer;
    private final String topic;
    private Thread thread;
    private volatile boolean stop;

    LevelTail(String bootstrap, String topic, DerivationSerdes serdes) {
      this.topic = topic;
      Map<String, Object> config = new HashMap<>();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      consumer =
          new KafkaConsumer<>(config, new StringDeserializer(), serdes.levelEvent().deserializer());
    }

    void start() {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      thread = new Thread(this::run, "level-tail");
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      while (!stop) {
        for (ConsumerRecord<String, UniMmrLevelEvent> r : consumer.poll(Duration.ofMillis(10))) {
          seen.add(new Seen(r.value(), Instant.now()));
        }
      }
    }

    int count(String account, LevelEventKind kind) {
      return (int) matching(account, kind).count();
    }

    /** When the {@code (index+1)}-th such event of 1.2 became readable; null while it has not. */
    Instant readableAt(String account, LevelEventKind kind, int index) {
      return matching(account, kind).skip(index).findFirst().map(Seen::at).orElse(null);
    }

    private java.util.stream.Stream<Seen> matching(String account, LevelEventKind kind) {
      return seen.stream()
          .filter(s -> s.event().getAccountId().equals(account))
          .filter(s -> s.event().getKind() == kind)
          .filter(s -> s.event().getLevel().compareTo(LEVEL) == 0);
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      if (thread != null) {
        thread.join(5_000);
      }
      consumer.close();
    }
  }
}
