package io.pmaccountstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.RequestStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Section 5: one poller JVM polling 1,000 simulated accounts once a second each. The simulator runs
 * in the benchmark JVM (its weight limit raised so that 1,000 requests/s are allowed); the poller
 * runs in a child JVM ({@link PollerScaleChild}) so its CPU and heap are its own. The poller's own
 * weight budget is raised the same way; every other poller setting is its default. Then the same
 * run again with the poller producer's {@code linger.ms} 0 (it ships Kafka's 5 ms) for the CPU that
 * sending each snapshot at once would cost.
 */
final class PollerScaleSection implements Section {

  static final String ID = "5";
  static final String TOPIC = "pmas-bench.scale.snapshots";
  private static final int WEIGHT_LIMIT = 100_000_000;
  private static final String HEAP = "-Xmx512m";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "poller scale";
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
    Scale scale = context.scale();
    int accounts = scale.pollerAccounts();
    Duration window = scale.pollerWindow();
    Duration warmUp = Duration.ofSeconds(Math.max(5, Math.min(15, window.toSeconds() / 4)));
    report.setting(ID, "accounts", accounts);
    report.setting(ID, "interval", "1s");
    report.setting(ID, "warmUpSeconds", warmUp.toSeconds());
    report.setting(ID, "windowSeconds", window.toSeconds());
    report.setting(ID, "pollerJvm", HEAP + ", child JVM; simulator in the benchmark JVM");
    report.setting(
        ID,
        "pollerSettings",
        "defaults (emit=changes, jitter 0.1, max.concurrent 32, binance.max.connections 16) but"
            + " poll.interval=1s and the weight budget raised");

    Measured m = measure(context, accounts, window, warmUp, "poller-scale", List.of());
    report.figure(ID, "poller CPU", m.cpuCores(), "cores", Report.Target.atMost(0.5), "");
    report.figure(
        ID, "poller heap after GC", m.heapAfterGcMiB(), "MiB", Report.Target.atMost(256), "");
    report.figure(
        ID,
        "account requests served",
        m.served(),
        "requests/s",
        Report.Target.atLeast(accounts * 0.99),
        "asked: " + accounts + "/s");
    JsonNode result = m.result();
    report.figure(ID, "polls started", result.get("pollsPerSecond").asDouble(), "polls/s");
    report.figure(ID, "scheduling lag p50", result.get("lagP50Millis").asDouble(), "ms");
    report.figure(
        ID,
        "scheduling lag p99",
        result.get("lagP99Millis").asDouble(),
        "ms",
        Report.Target.atMost(50),
        "");
    report.figure(ID, "scheduling lag max", result.get("lagMaxMillis").asDouble(), "ms");
    report.figure(ID, "poller GC time in window", result.get("gcMillisInWindow").asDouble(), "ms");

    // what the poller producer's linger 0 would cost (it ships Kafka's 5 ms), measured right after
    Measured eager =
        measure(
            context,
            accounts,
            window,
            warmUp,
            "poller-scale-linger-0",
            List.of("kafka.linger.ms=0"));
    report.figure(
        ID,
        "poller CPU, producer linger 0 ms",
        eager.cpuCores(),
        "cores",
        null,
        "same accounts and window, right after the shipped run");
    report.figure(
        ID,
        "poller CPU, linger 0 / shipped (linger 5 ms)",
        eager.cpuCores() / m.cpuCores(),
        "×",
        null,
        "what sending each snapshot at once would cost in CPU");
  }

  /** What one poller run measured: CPU, heap after GC, requests served and the child's result. */
  record Measured(double cpuCores, double heapAfterGcMiB, double served, JsonNode result) {}

  /**
   * Runs the poller child on {@code accounts} simulated accounts polled once a second (weight
   * budget raised), warms up, then measures over {@code window}.
   */
  static Measured measure(
      BenchContext context,
      int accounts,
      Duration window,
      Duration warmUp,
      String name,
      List<String> extraSettings)
      throws Exception {
    context.recreateTopics(Set.of(TOPIC));
    try (BinancePmSimulator simulator =
        BinancePmSimulator.builder()
            .scenario("many")
            .accounts(accounts)
            .seed(5)
            .weightLimit(WEIGHT_LIMIT)
            .build()
            .start()) {
      Path config = context.workDir().resolve(name + ".properties");
      simulator.writeCredentials(config);
      Files.writeString(
          config,
          String.join(
              "\n",
              "",
              "bootstrap.servers=" + context.bootstrapServers(),
              "schema.registry.url=" + context.schemaRegistryUrl().orElseThrow(),
              "topic.snapshots=" + TOPIC,
              "poll.interval=1s",
              "binance.weight.limit.per.minute=" + WEIGHT_LIMIT,
              "poller.instance.id=bench-poller-scale",
              String.join("\n", extraSettings),
              ""),
          StandardOpenOption.APPEND);

      AtomicLong requestsAtStart = new AtomicLong();
      AtomicLong requestsAtEnd = new AtomicLong();
      AtomicLong startNanos = new AtomicLong();
      AtomicLong endNanos = new AtomicLong();
      RequestStats stats = simulator.stats();
      try (ChildJvm poller =
          ChildJvm.start(
              name,
              List.of(HEAP),
              PollerScaleChild.class.getName(),
              List.of(
                  config.toString(),
                  Long.toString(warmUp.toSeconds()),
                  Long.toString(window.toSeconds())),
              context.logDir(),
              line -> {
                if (line.equals("WINDOW-START")) {
                  requestsAtStart.set(stats.count(RequestStats.ACCOUNT));
                  startNanos.set(System.nanoTime());
                } else if (line.equals("WINDOW-END")) {
                  requestsAtEnd.set(stats.count(RequestStats.ACCOUNT));
                  endNanos.set(System.nanoTime());
                }
              })) {
        int exit = poller.awaitExit(warmUp.plus(window).plus(Duration.ofMinutes(2)));
        JsonNode result = result(poller.stdout(), exit, context, name);
        double served =
            (requestsAtEnd.get() - requestsAtStart.get())
                / ((endNanos.get() - startNanos.get()) / 1e9);
        return new Measured(
            result.get("cpuCores").asDouble(),
            result.get("heapAfterGcBytes").asDouble() / (1024 * 1024),
            served,
            result);
      }
    }
  }

  private static JsonNode result(List<String> stdout, int exit, BenchContext context, String name)
      throws Exception {
    for (String line : stdout) {
      if (line.startsWith("RESULT ")) {
        return new ObjectMapper().readTree(line.substring("RESULT ".length()));
      }
    }
    throw new IllegalStateException(
        "the poller exited with "
            + exit
            + " without a result; see "
            + context.logDir().resolve(name + ".stderr.log"));
  }
}
