package io.pmaccountstream.bench.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.ServedAnswer;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.streams.DerivationSerdes;
import io.pmaccountstream.testing.AppProcess;
import io.pmaccountstream.testing.HistoryChecker;
import io.pmaccountstream.testing.HistoryChecker.Logged;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The chaos run (issue 13): the simulator and the poller in this JVM, the broker and the registry
 * as child processes, derive as a child JVM. For {@code --duration} the broker is restarted and
 * derive is {@code kill -9}ed at seeded random moments (restarted at once). Then, from the logs
 * alone: the history check (the snapshot topic derived with the plain Deriver equals the
 * read_committed outputs: no duplicate, none missing, per-account order kept), served vs published
 * per account (good answers received = published + conflated + dead-lettered), and the time from
 * each derive restart to derived events flowing again. Figures go to {@code --out} (JSON) and a
 * Markdown table on standard output. Measured, never asserted: the exit code says whether the
 * checks held (0) or not (1).
 */
@Command(name = "chaos", mixinStandardHelpOptions = true)
public final class ChaosMain implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger("chaos");

  @Option(names = "--duration", description = "Chaos phase length (default 5m; --short: 60s)")
  Duration duration;

  @Option(names = "--accounts", defaultValue = "50")
  int accounts;

  @Option(names = "--broker-restarts", description = "default 5; --short: 2")
  Integer brokerRestarts;

  @Option(names = "--derive-kills", description = "default 5; --short: 2")
  Integer deriveKills;

  @Option(names = "--short", description = "A smoke run: 60 s, 2 broker restarts, 2 derive kills")
  boolean smoke;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Option(names = "--interval", defaultValue = "1s", description = "Poll interval per account")
  Duration interval;

  @Option(names = "--hostile-rate", defaultValue = "0", description = "Hostile answers too")
  double hostileRate;

  @Option(names = "--outage-min", defaultValue = "3s")
  Duration outageMin;

  @Option(names = "--outage-max", defaultValue = "12s")
  Duration outageMax;

  @Option(
      names = "--settle",
      defaultValue = "10s",
      description = "Least time between the end of one event and the next")
  Duration settle;

  @Option(
      names = "--derive-set",
      description = "Extra derive setting key=value (e.g. kafka.group.instance.id=derive-0)")
  List<String> deriveSettings = new ArrayList<>();

  @Option(names = "--broker-classpath", required = true, description = "File with the classpath")
  Path brokerClasspath;

  @Option(names = "--registry-jar", required = true)
  Path registryJar;

  @Option(names = "--work-dir", defaultValue = "target/chaos")
  Path workDir;

  @Option(names = "--out", defaultValue = "bench/results/chaos-latest.json")
  Path out;

  @Option(names = "--git-commit", defaultValue = "unknown")
  String gitCommit;

  /** One chaos event and what was measured around it. */
  record Event(
      String kind,
      Instant at,
      Duration outage,
      Instant restartedAt,
      Optional<Duration> recovery,
      String note) {}

  public static void main(String[] args) {
    System.exit(
        new CommandLine(new ChaosMain())
            .registerConverter(Duration.class, ChaosMain::duration)
            .execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Duration phase =
        duration != null ? duration : smoke ? Duration.ofSeconds(60) : Duration.ofMinutes(5);
    int restarts = brokerRestarts != null ? brokerRestarts : smoke ? 2 : 5;
    int kills = deriveKills != null ? deriveKills : smoke ? 2 : 5;
    String runId = Long.toString(System.currentTimeMillis(), 36);
    Path dir = workDir.resolve(runId).toAbsolutePath();
    Files.createDirectories(dir);
    log.info(
        "chaos run {}: {} accounts, {}, {} broker restarts, {} derive kills, seed {}; logs in {}",
        runId,
        accounts,
        phase,
        restarts,
        kills,
        seed,
        dir);

    List<AutoCloseable> toClose = new ArrayList<>();
    try {
      BrokerProcess broker =
          BrokerProcess.format(Files.readString(brokerClasspath).strip(), dir.resolve("kafka"));
      toClose.add(broker);
      broker.start();
      ChildProcess registryProcess = startRegistry(dir);
      toClose.add(registryProcess);
      String registryUrl = this.registryUrl;
      String bootstrap = broker.bootstrapServers();
      Topics topics = Topics.defaults().withPrefix("chaos-" + runId + ".");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(topics.snapshots(), 3, (short) 1),
                    new NewTopic(topics.deadLetter(), 1, (short) 1)))
            .all()
            .get();
      }

      BinancePmSimulator simulator =
          BinancePmSimulator.builder()
              .scenario("many")
              .accounts(accounts)
              .seed(seed)
              .weightLimit(100_000_000)
              .faults(FaultConfig.none().withHostileRate(hostileRate))
              .build()
              .start();
      toClose.add(simulator);
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      PollerApp poller =
          PollerApp.create(pollerSettings(simulator, bootstrap, registryUrl, topics, dir), meters);
      poller.start();

      Map<String, String> deriveConfig = deriveSettings(bootstrap, registryUrl, topics, dir, runId);
      List<AppProcess> derives = new ArrayList<>();
      derives.add(AppProcess.start("derive-1", "derive", deriveConfig, dir, deriveJvm()));
      toClose.add(() -> derives.get(derives.size() - 1).close());

      KafkaConnection connection = connection(bootstrap, registryUrl);
      HttpSchemaRegistryClient registry = HttpSchemaRegistryClient.from(connection);
      toClose.add(registry);
      DerivationSerdes serdes = DerivationSerdes.create(registry);
      ArrivalTail outputs =
          new ArrivalTail(
              bootstrap, List.of(topics.latest(), topics.statusTransitions(), topics.lowUniMmr()));
      toClose.add(outputs);
      ArrivalTail inputs = new ArrivalTail(bootstrap, List.of(topics.snapshots()));
      toClose.add(inputs);

      Instant chaosStart = Instant.now();
      List<Event> events = new ArrayList<>();
      Random random = new Random(seed);
      List<String> plan = new ArrayList<>();
      for (int i = 0; i < restarts; i++) {
        plan.add("broker-restart");
      }
      for (int i = 0; i < kills; i++) {
        plan.add("derive-kill-9");
      }
      Collections.shuffle(plan, random);
      long slot = phase.toMillis() / (plan.size() + 1);
      for (int i = 0; i < plan.size(); i++) {
        long at = slot * i + slot / 2 + (long) (random.nextDouble() * slot);
        Instant planned = chaosStart.plusMillis(at);
        Instant earliest =
            events.isEmpty() ? planned : events.get(events.size() - 1).restartedAt().plus(settle);
        sleepUntil(planned.isAfter(earliest) ? planned : earliest);
        if (plan.get(i).equals("broker-restart")) {
          Instant down = Instant.now();
          broker.stop();
          Duration outage =
              outageMin.plusMillis(
                  (long) (random.nextDouble() * outageMax.minus(outageMin).toMillis()));
          sleepUntil(down.plus(outage));
          broker.start();
          Instant up = Instant.now();
          log.info(
              "broker restarted: down {} ms (outage {} ms asked)",
              Duration.between(down, up).toMillis(),
              outage.toMillis());
          events.add(
              new Event(
                  "broker-restart", down, Duration.between(down, up), up, Optional.empty(), ""));
        } else {
          AppProcess victim = derives.get(derives.size() - 1);
          Instant killed = Instant.now();
          victim.kill();
          AppProcess next =
              AppProcess.start(
                  "derive-" + (derives.size() + 1), "derive", deriveConfig, dir, deriveJvm());
          derives.add(next);
          Instant restarted = Instant.now();
          log.info(
              "derive pid {} killed with SIGKILL, restarted as pid {}", victim.pid(), next.pid());
          events.add(
              new Event(
                  "derive-kill-9",
                  killed,
                  Duration.between(killed, restarted),
                  restarted,
                  Optional.empty(),
                  ""));
        }
      }
      sleepUntil(chaosStart.plus(phase));
      Instant chaosEnd = Instant.now();
      log.info("chaos phase over; letting the pipeline settle");
      Thread.sleep(10_000);
      int unsent = poller.shutdown(Duration.ofSeconds(120));
      simulator.close();
      List<ServedAnswer> served = simulator.serveLog().all();

      // The history check, once derive has caught up (or after 3 minutes).
      HistoryChecker.Result history = null;
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      List<Logged<AccountSnapshot>> snapshots = List.of();
      while (System.nanoTime() < deadline) {
        snapshots = read(bootstrap, topics.snapshots(), serdes.snapshot().deserializer());
        List<Logged<? extends SpecificRecord>> derived = new ArrayList<>();
        derived.addAll(
            read(bootstrap, topics.statusTransitions(), serdes.transition().deserializer()));
        derived.addAll(read(bootstrap, topics.lowUniMmr(), serdes.levelEvent().deserializer()));
        history = HistoryChecker.check(snapshots, derived, DerivationConfig.defaults());
        if (history.equal()) {
          break;
        }
        Thread.sleep(3_000);
      }
      log.info("history: {}", history.describe());

      // Served vs published, per account.
      Map<String, Long> good = new TreeMap<>();
      Map<String, Long> hostile = new TreeMap<>();
      for (ServedAnswer answer : served) {
        if (answer.isGood()) {
          good.merge(answer.accountId(), 1L, Long::sum);
        } else if (answer.kind() == ServedAnswer.Kind.HOSTILE) {
          hostile.merge(answer.accountId(), 1L, Long::sum);
        }
      }
      Map<String, Long> published = new TreeMap<>();
      snapshots.forEach(s -> published.merge(s.key(), 1L, Long::sum));
      Map<String, Long> letters = new TreeMap<>();
      read(bootstrap, topics.deadLetter(), new StringDeserializer())
          .forEach(l -> letters.merge(l.key(), 1L, Long::sum));
      Map<String, Long> conflated = new TreeMap<>();
      for (Counter c : meters.find("pmas.snapshots").tag("outcome", "conflated").counters()) {
        conflated.merge(c.getId().getTag("account"), (long) c.count(), Long::sum);
      }
      List<String> unbalanced = new ArrayList<>();
      long lost = 0;
      for (String account : good.keySet()) {
        long received = good.get(account) + hostile.getOrDefault(account, 0L);
        long accounted =
            published.getOrDefault(account, 0L)
                + conflated.getOrDefault(account, 0L)
                + letters.getOrDefault(account, 0L);
        if (received != accounted) {
          lost += received - accounted;
          unbalanced.add(
              account
                  + ": received "
                  + received
                  + ", published "
                  + published.getOrDefault(account, 0L)
                  + " + conflated "
                  + conflated.getOrDefault(account, 0L)
                  + " + dead-lettered "
                  + letters.getOrDefault(account, 0L));
        }
      }

      // Recovery after each restart: the first derived (or, for the broker, published) record
      // readable after it; an event that overlaps another one's recovery window is marked.
      List<Event> measured = new ArrayList<>();
      for (Event e : events) {
        boolean derive = e.kind().equals("derive-kill-9");
        Optional<Instant> first = (derive ? outputs : inputs).firstAfter(e.restartedAt());
        Optional<Duration> recovery = first.map(f -> Duration.between(e.restartedAt(), f));
        Instant windowEnd = first.orElse(chaosEnd);
        List<String> overlaps =
            events.stream()
                .filter(o -> o != e && o.at().isAfter(e.at()) && o.at().isBefore(windowEnd))
                .map(
                    o ->
                        o.kind()
                            + " at +"
                            + Duration.between(chaosStart, o.at()).toSeconds()
                            + " s")
                .toList();
        String note =
            (first.isEmpty()
                    ? (derive ? "no derived record after it; " : "no snapshot after it; ")
                    : "")
                + (derive ? "first derived record" : "first snapshot")
                + (overlaps.isEmpty() ? "" : "; overlapped by " + String.join(", ", overlaps));
        measured.add(new Event(e.kind(), e.at(), e.outage(), e.restartedAt(), recovery, note));
      }

      ObjectNode report =
          report(
              phase,
              restarts,
              kills,
              chaosStart,
              chaosEnd,
              unsent,
              served.size(),
              history,
              good,
              hostile,
              published,
              conflated,
              letters,
              unbalanced,
              lost,
              measured,
              derives);
      Files.createDirectories(out.toAbsolutePath().getParent());
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(out.toFile(), report);
      String table = table(report, measured);
      Files.writeString(dir.resolve("chaos-table.md"), table);
      System.out.println(table);
      log.info("figures written to {} and {}", out, dir.resolve("chaos-table.md"));
      // 50 accounts for minutes stay far below any sane buffer bound: nothing may be conflated.
      long conflatedTotal = conflated.values().stream().mapToLong(Long::longValue).sum();
      boolean ok = history.equal() && unbalanced.isEmpty() && unsent == 0 && conflatedTotal == 0;
      return ok ? 0 : 1;
    } finally {
      for (int i = toClose.size() - 1; i >= 0; i--) {
        try {
          toClose.get(i).close();
        } catch (Exception e) {
          log.warn("closing failed: {}", e.toString());
        }
      }
    }
  }

  private String registryUrl;

  private ChildProcess startRegistry(Path dir) throws Exception {
    int port;
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    ChildProcess registry =
        ChildProcess.start(
            "registry",
            List.of(
                ChildProcess.java(),
                "-Xmx256m",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-jar",
                registryJar.toAbsolutePath().toString()),
            dir.resolve("registry.log"));
    registryUrl = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> answer =
            http.send(
                HttpRequest.newBuilder(URI.create(registryUrl + "/subjects")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (answer.statusCode() == 200) {
          return registry;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        "the registry did not become ready: see " + dir.resolve("registry.log"));
  }

  private PollerApp.Settings pollerSettings(
      BinancePmSimulator simulator, String bootstrap, String registryUrl, Topics topics, Path dir)
      throws IOException {
    Path credentials = dir.resolve("credentials.properties");
    simulator.writeCredentials(credentials);
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", bootstrap);
    flags.put("schema.registry.url", registryUrl);
    flags.put("binance.time.url", simulator.baseUrl() + "/fapi/v1/time");
    flags.put("binance.weight.limit.per.minute", "100000000");
    flags.put("poll.interval", interval.toMillis() + "ms");
    flags.put("poll.emit", "every-poll");
    flags.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    flags.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    ConfigReader reader =
        new ConfigReader(Settings.load(Optional.of(credentials), Map.of(), flags));
    PollerApp.Settings settings = PollerApp.Settings.from(reader);
    reader.throwIfProblems();
    return settings;
  }

  private Map<String, String> deriveSettings(
      String bootstrap, String registryUrl, Topics topics, Path dir, String runId) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("bootstrap.servers", bootstrap);
    settings.put("schema.registry.url", registryUrl);
    settings.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    settings.put(Topics.STATUS_TRANSITIONS.name(), topics.statusTransitions());
    settings.put(Topics.LOW_UNIMMR.name(), topics.lowUniMmr());
    settings.put(Topics.LATEST.name(), topics.latest());
    settings.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    settings.put("derive.application.id", "chaos-" + runId);
    settings.put("derive.state.dir", dir.resolve("derive-state").toString());
    // A new application per run, started after the poller has published: derive every snapshot
    // (the default, first-start, would warm its state from the first seconds without emitting,
    // and the history check derives all of them).
    settings.put("derive.emit.from", "all");
    // A static member, as the StatefulSet makes each pod (its pod name): a restarted derive takes
    // its tasks back at once instead of waiting out the dead member's session (issue 14, 6b).
    settings.put("derive.instance.id", "chaos-" + runId + "-derive-0");
    for (String setting : deriveSettings) {
      int eq = setting.indexOf('=');
      settings.put(setting.substring(0, eq), setting.substring(eq + 1));
    }
    return settings;
  }

  private static List<String> deriveJvm() {
    return List.of("-Xmx512m", "-XX:+UseSerialGC");
  }

  private static KafkaConnection connection(String bootstrap, String registryUrl) {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(
                Map.of("bootstrap.servers", bootstrap, "schema.registry.url", registryUrl)));
    KafkaConnection connection = KafkaConnection.from(reader);
    reader.throwIfProblems();
    return connection;
  }

  /** A whole topic, read_committed, from the beginning to its current end. */
  static <V> List<Logged<V>> read(String bootstrap, String topic, Deserializer<V> values) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    List<Logged<V>> records = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), values)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
          records.add(new Logged<>(r.partition(), r.offset(), r.key(), r.value()));
        }
      }
    }
    return records;
  }

  private ObjectNode report(
      Duration phase,
      int restarts,
      int kills,
      Instant start,
      Instant end,
      int unsent,
      int answers,
      HistoryChecker.Result history,
      Map<String, Long> good,
      Map<String, Long> hostile,
      Map<String, Long> published,
      Map<String, Long> conflated,
      Map<String, Long> letters,
      List<String> unbalanced,
      long lost,
      List<Event> events,
      List<AppProcess> derives) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("run", smoke ? "short" : "full");
    root.put("gitCommit", gitCommit);
    root.put("startedAt", start.toString());
    root.put("chaosSeconds", Duration.between(start, end).toSeconds());
    root.put("plannedSeconds", phase.toSeconds());
    root.put("accounts", accounts);
    root.put("pollInterval", interval.toString());
    root.put("seed", seed);
    root.put("hostileRate", hostileRate);
    root.put("brokerRestarts", restarts);
    root.put("deriveKills", kills);
    root.put("deriveSettings", String.join(",", deriveSettings));
    root.put("answersServed", answers);
    root.put("unsentAtShutdown", unsent);
    ObjectNode h = root.putObject("history");
    h.put("equal", history.equal());
    h.put("snapshots", history.snapshots());
    h.put("expectedEvents", history.expectedEvents());
    h.put("derivedEvents", history.actualEvents());
    h.put("duplicates", history.duplicates());
    h.put("missing", history.missing());
    h.put("unexpected", history.unexpected());
    h.put("accountsOutOfOrder", history.accountsOutOfOrder());
    h.put("description", history.describe());
    ObjectNode s = root.putObject("servedVsPublished");
    s.put("goodAnswers", good.values().stream().mapToLong(Long::longValue).sum());
    s.put("hostileAnswers", hostile.values().stream().mapToLong(Long::longValue).sum());
    s.put("published", published.values().stream().mapToLong(Long::longValue).sum());
    s.put("conflated", conflated.values().stream().mapToLong(Long::longValue).sum());
    s.put("deadLettered", letters.values().stream().mapToLong(Long::longValue).sum());
    s.put("unaccounted", lost);
    s.put("accountsUnbalanced", unbalanced.size());
    s.put(
        "conflationNote",
        "a run of this size stays far below any buffer bound: conflated must be 0 (issue 13, item 9)");
    ArrayNode u = s.putArray("unbalanced");
    unbalanced.stream().limit(20).forEach(u::add);
    ArrayNode e = root.putArray("events");
    for (Event event : events) {
      ObjectNode n = e.addObject();
      n.put("kind", event.kind());
      n.put("at", event.at().toString());
      n.put("secondsIntoChaos", Duration.between(start, event.at()).toMillis() / 1000.0);
      n.put("outageMs", event.outage().toMillis());
      event
          .recovery()
          .ifPresentOrElse(r -> n.put("recoveryMs", r.toMillis()), () -> n.putNull("recoveryMs"));
      n.put("note", event.note());
    }
    List<Long> recoveries =
        events.stream()
            .filter(x -> x.kind().equals("derive-kill-9") && x.recovery().isPresent())
            .map(x -> x.recovery().get().toMillis())
            .sorted()
            .toList();
    ObjectNode r = root.putObject("deriveRecoveryMs");
    r.put("restarts", events.stream().filter(x -> x.kind().equals("derive-kill-9")).count());
    r.put("measured", recoveries.size());
    if (!recoveries.isEmpty()) {
      r.put("min", recoveries.get(0));
      r.put("median", recoveries.get(recoveries.size() / 2));
      r.put("max", recoveries.get(recoveries.size() - 1));
      r.put("targetMs", 10_000);
    }
    root.put("deriveProcesses", derives.size());
    return root;
  }

  private static String table(ObjectNode report, List<Event> events) {
    StringBuilder t = new StringBuilder();
    t.append("| Figure | Value |\n|---|---|\n");
    row(
        t,
        "run",
        report.get("run").asText()
            + " ("
            + report.get("chaosSeconds").asLong()
            + " s, "
            + report.get("accounts").asInt()
            + " accounts, poll every "
            + report.get("pollInterval").asText()
            + ", seed "
            + report.get("seed").asLong()
            + ", commit "
            + report.get("gitCommit").asText()
            + ")");
    row(
        t,
        "broker restarts / derive kill -9",
        report.get("brokerRestarts").asInt() + " / " + report.get("deriveKills").asInt());
    ObjectNode h = (ObjectNode) report.get("history");
    row(
        t,
        "history check",
        (h.get("equal").asBoolean() ? "equal" : "NOT equal")
            + ": "
            + h.get("snapshots").asLong()
            + " snapshots, "
            + h.get("expectedEvents").asLong()
            + " events expected, "
            + h.get("derivedEvents").asLong()
            + " derived");
    row(
        t,
        "duplicate eventIds / missing / unexpected / accounts out of order",
        h.get("duplicates").asLong()
            + " / "
            + h.get("missing").asLong()
            + " / "
            + h.get("unexpected").asLong()
            + " / "
            + h.get("accountsOutOfOrder").asLong());
    ObjectNode s = (ObjectNode) report.get("servedVsPublished");
    row(
        t,
        "answers received = published + conflated + dead-lettered",
        (s.get("goodAnswers").asLong() + s.get("hostileAnswers").asLong())
            + " = "
            + s.get("published").asLong()
            + " + "
            + s.get("conflated").asLong()
            + " + "
            + s.get("deadLettered").asLong()
            + (s.get("unaccounted").asLong() == 0
                ? ""
                : " (unaccounted "
                    + s.get("unaccounted").asLong()
                    + " in "
                    + s.get("accountsUnbalanced").asInt()
                    + " accounts)"));
    row(
        t,
        "conflated (must be 0: the run stays far below any buffer bound)",
        s.get("conflated").asLong() == 0 ? "0" : s.get("conflated").asLong() + " (NOT 0)");
    row(t, "snapshots unsent at shutdown", report.get("unsentAtShutdown").asText());
    ObjectNode r = (ObjectNode) report.get("deriveRecoveryMs");
    row(
        t,
        "derive restart → derived events flowing (min / median / max, target ≤ 10 s)",
        r.has("min")
            ? r.get("min").asLong()
                + " / "
                + r.get("median").asLong()
                + " / "
                + r.get("max").asLong()
                + " ms ("
                + r.get("measured").asInt()
                + " of "
                + r.get("restarts").asInt()
                + " restarts)"
            : "not measured (" + r.get("restarts").asInt() + " restarts)");
    t.append(
        "\n| Event | At (s into chaos) | Down (ms) | Flowing again after (ms) | Note |\n"
            + "|---|---|---|---|---|\n");
    for (int i = 0; i < events.size(); i++) {
      ObjectNode n = (ObjectNode) report.get("events").get(i);
      t.append("| ")
          .append(n.get("kind").asText())
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.1f", n.get("secondsIntoChaos").asDouble()))
          .append(" | ")
          .append(n.get("outageMs").asLong())
          .append(" | ")
          .append(n.get("recoveryMs").isNull() ? "never" : n.get("recoveryMs").asText())
          .append(" | ")
          .append(n.get("note").asText())
          .append(" |\n");
    }
    return t.toString();
  }

  private static void row(StringBuilder t, String name, String value) {
    t.append("| ").append(name).append(" | ").append(value).append(" |\n");
  }

  private static void sleepUntil(Instant at) throws InterruptedException {
    long millis = Duration.between(Instant.now(), at).toMillis();
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  private static Duration duration(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.startsWith("pt")) {
      return Duration.parse(t);
    }
    long n = Long.parseLong(t.replaceAll("[a-z]+$", ""));
    return switch (t.replaceAll("^[0-9]+", "")) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("not a duration: " + text + " (e.g. 90s, 5m)");
    };
  }

  /** Notes when records of some topics become readable (read_committed), from now on. */
  static final class ArrivalTail implements AutoCloseable {
    private final List<Instant> arrivals = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean stop;

    ArrivalTail(String bootstrap, List<String> topics) {
      Map<String, Object> config = new HashMap<>();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      config.put(ConsumerConfig.GROUP_ID_CONFIG, "chaos-tail-" + System.nanoTime());
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
      config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 2000);
      consumer =
          new KafkaConsumer<>(
              config,
              new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer());
      consumer.subscribe(
          java.util.regex.Pattern.compile(
              String.join("|", topics.stream().map(java.util.regex.Pattern::quote).toList())));
      thread = new Thread(this::run, "chaos-tail");
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      while (!stop) {
        try {
          var records = consumer.poll(Duration.ofMillis(100));
          if (!records.isEmpty()) {
            arrivals.add(Instant.now());
          }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
          return;
        } catch (RuntimeException e) {
          log.debug("tail: {}", e.toString());
        }
      }
    }

    Optional<Instant> firstAfter(Instant at) {
      return arrivals.stream().filter(a -> a.isAfter(at)).findFirst();
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      consumer.wakeup();
      thread.join(5_000);
      consumer.close();
    }
  }
}
