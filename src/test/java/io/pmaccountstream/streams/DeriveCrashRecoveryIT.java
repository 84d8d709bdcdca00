package io.pmaccountstream.streams;

import static io.pmaccountstream.streams.DeriveItSupport.readAll;
import static io.pmaccountstream.streams.DeriveItSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryException;
import io.pmaccountstream.streams.DeriveItSupport.Outputs;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under failure, on the real broker and registry: the derive app is killed (SIGKILL,
 * no clean shutdown) with a transaction open, or a stream thread crashes mid-stream; after the
 * restart or the thread replacement, {@code read_committed} consumers see every derived event
 * exactly once, identical to the plain derivation of the input.
 */
class DeriveCrashRecoveryIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final List<String> ACCOUNTS = List.of("acct-1", "acct-2", "acct-3");

  @TempDir Path work;

  private final Topics topics = DeriveItSupport.uniqueTopics();
  private final String applicationId = "it-crash-" + UUID.randomUUID().toString().substring(0, 8);
  private HttpSchemaRegistryClient client;
  private DerivationSerdes serdes;
  private final List<Process> children = new ArrayList<>();

  @BeforeEach
  void setUp() {
    kafka.createTopic(topics.snapshots(), 2);
    client = HttpSchemaRegistryClient.from(settings(Map.of()).connection());
    serdes = DerivationSerdes.create(client);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process child : children) {
      if (child.isAlive()) {
        dumpThreads(child);
      }
    }
    for (Process child : children) {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    client.close();
  }

  private DeriveApp.Settings settings(Map<String, String> extra) {
    Map<String, String> flags =
        DeriveItSupport.flags(
            kafka.bootstrapServers(), registry.url(), topics, applicationId, work.resolve("state"));
    flags.putAll(extra);
    return DeriveItSupport.settings(flags);
  }

  @Test
  void aKilledAppRestartsWithoutLosingOrDuplicatingEvents() throws Exception {
    long start = DeriveItSupport.recentSecond();
    List<AccountSnapshot> first = DeriveItSupport.path(ACCOUNTS, 40, 11, start);
    List<AccountSnapshot> second = DeriveItSupport.path(ACCOUNTS, 40, 12, start + 1000);
    List<AccountSnapshot> all = new ArrayList<>(first);
    all.addAll(second);
    Outputs afterFirst = DeriveItSupport.expected(first, DerivationConfig.defaults());
    Outputs afterAll = DeriveItSupport.expected(all, DerivationConfig.defaults());

    // Run 1 derives the first half, commits, and is killed between commits.
    DeriveItSupport.produce(kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), first);
    Process run1 = startChild("run1", "100ms");
    awaitCommitted(afterFirst);
    kill(run1);

    // Run 2 commits only every minute: it is killed while its transaction holds second-half
    // outputs that a read_uncommitted consumer already sees.
    Process run2 = startChild("run2", "60s");
    DeriveItSupport.produce(
        kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), second);
    await()
        .atMost(DeriveItSupport.OUTPUT_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(events(false))
                    .as("events written by run 2 (uncommitted) beyond the committed first half")
                    .isGreaterThan(events(afterFirst)));
    kill(run2);

    // Run 3 resumes from the last commit; the aborted outputs of run 2 stay invisible.
    startChild("run3", "100ms");
    awaitCommitted(afterAll);

    assertExactly(afterAll);
    assertThat(events(false))
        .as("events written, including the aborted transaction of the killed run")
        .isGreaterThan(events(afterAll));
  }

  /**
   * Static membership (KIP-345): the restarted instance rejoins with the dead one's {@code
   * group.instance.id} and gets its tasks back at once, instead of the group waiting out the
   * session timeout (30 s, the default, kept here on purpose) of a member that will never answer.
   */
  @Test
  void aKilledStaticMemberRestartedAtOnceDerivesAgainWithinSeconds() throws Exception {
    long start = DeriveItSupport.recentSecond();
    List<AccountSnapshot> first = DeriveItSupport.path(ACCOUNTS, 40, 15, start);
    List<AccountSnapshot> second = DeriveItSupport.path(ACCOUNTS, 40, 16, start + 1000);
    List<AccountSnapshot> all = new ArrayList<>(first);
    all.addAll(second);
    Outputs afterFirst = DeriveItSupport.expected(first, DerivationConfig.defaults());
    Outputs afterAll = DeriveItSupport.expected(all, DerivationConfig.defaults());
    Map<String, String> staticMember =
        Map.of(
            DeriveConfig.INSTANCE_ID.name(), "pm-account-stream-derive-0",
            DeriveConfig.SESSION_TIMEOUT.name(), "30s");

    DeriveItSupport.produce(kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), first);
    Process run1 = startChild("static1", staticMember);
    awaitCommitted(afterFirst);
    kill(run1);
    DeriveItSupport.produce(
        kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), second);

    long restarted = System.nanoTime();
    startChild("static2", staticMember);
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> events(true) > events(afterFirst));
    Duration resumed = Duration.ofNanos(System.nanoTime() - restarted);
    System.out.printf(
        "derive after kill -9: first new derived event %d ms after the restart (JVM start"
            + " included, static membership, session timeout 30s)%n",
        resumed.toMillis());

    assertThat(resumed)
        .as("restart to the first new derived event (read_committed)")
        .isLessThan(Duration.ofSeconds(20));
    awaitCommitted(afterAll);
    assertExactly(afterAll);
  }

  @Test
  void sigtermClosesTheAppCleanlyWithinTheTimeout() throws Exception {
    List<AccountSnapshot> input =
        DeriveItSupport.path(ACCOUNTS, 20, 14, DeriveItSupport.recentSecond());
    Outputs expected = DeriveItSupport.expected(input, DerivationConfig.defaults());
    DeriveItSupport.produce(kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), input);
    Process run = startChild("sigterm", "100ms");
    awaitCommitted(expected);

    run.destroy();

    assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
    assertThat(run.exitValue()).as("exit status of a JVM stopped by SIGTERM").isEqualTo(143);
    String log = Files.readString(logFile("sigterm"));
    assertThat(log).contains("Kafka Streams state PENDING_SHUTDOWN -> NOT_RUNNING");
    assertThat(log)
        .as("tasks closed with their state committed")
        .contains("task [0_0] Closed clean", "task [0_1] Closed clean")
        .doesNotContain("Closed dirty");
    assertExactly(expected);
  }

  @Test
  void aCrashedStreamThreadIsReplacedWithoutLosingOrDuplicatingEvents() {
    List<AccountSnapshot> input =
        DeriveItSupport.path(ACCOUNTS, 60, 13, DeriveItSupport.recentSecond());
    Outputs expected = DeriveItSupport.expected(input, DerivationConfig.defaults());
    FailingOnce failing = new FailingOnce(client, topics.lowUniMmr() + "-value", 1);
    DeriveApp app = DeriveApp.create(settings(Map.of()), failing, new SimpleMeterRegistry());
    try {
      DeriveItSupport.produce(
          kafka.bootstrapServers(), topics.snapshots(), serdes.snapshot(), input);
      app.start();

      awaitCommitted(expected);

      assertExactly(expected);
      assertThat(failing.failures())
          .as("registrations that failed and crashed the thread")
          .isEqualTo(1);
      assertThat(app.state()).isEqualTo(org.apache.kafka.streams.KafkaStreams.State.RUNNING);
    } finally {
      app.close(Duration.ofSeconds(30));
    }
  }

  /** Transitions plus level events in the topics, read committed or not. */
  private int events(boolean committedOnly) {
    return readAll(
                kafka.bootstrapServers(),
                topics.statusTransitions(),
                serdes.transition(),
                committedOnly)
            .size()
        + readAll(kafka.bootstrapServers(), topics.lowUniMmr(), serdes.levelEvent(), committedOnly)
            .size();
  }

  private static int events(Outputs outputs) {
    return outputs.transitions.size() + outputs.levelEvents.size();
  }

  /**
   * Waits until read_committed consumers see as many events as expected and the expected last
   * snapshot of every account in the latest topic (compaction may have dropped older ones).
   */
  private void awaitCommitted(Outputs expected) {
    await()
        .atMost(DeriveItSupport.OUTPUT_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(events(true))
                  .as("committed events")
                  .isGreaterThanOrEqualTo(events(expected));
              assertThat(
                      DeriveItSupport.lastPerAccount(
                          values(
                              readAll(
                                  kafka.bootstrapServers(),
                                  topics.latest(),
                                  serdes.snapshot(),
                                  true))))
                  .as("last committed snapshot per account")
                  .isEqualTo(DeriveItSupport.lastPerAccount(expected.latest));
            });
  }

  private void assertExactly(Outputs expected) {
    List<ConsumerRecord<String, AccountStatusTransition>> transitions =
        readAll(kafka.bootstrapServers(), topics.statusTransitions(), serdes.transition(), true);
    List<ConsumerRecord<String, UniMmrLevelEvent>> levels =
        readAll(kafka.bootstrapServers(), topics.lowUniMmr(), serdes.levelEvent(), true);
    List<ConsumerRecord<String, AccountSnapshot>> latest =
        readAll(kafka.bootstrapServers(), topics.latest(), serdes.snapshot(), true);

    assertThat(transitions.stream().map(r -> r.value().getEventId())).doesNotHaveDuplicates();
    assertThat(levels.stream().map(r -> r.value().getEventId())).doesNotHaveDuplicates();
    assertThat(Outputs.byAccount(values(transitions)))
        .isEqualTo(Outputs.byAccount(expected.transitions));
    assertThat(Outputs.byAccount(values(levels)))
        .isEqualTo(Outputs.byAccount(expected.levelEvents));
    assertThat(DeriveItSupport.isCompactionOf(values(latest), expected.latest))
        .as(
            "latest holds, per account, expected snapshots in order, each once, ending with the last")
        .isTrue();
  }

  /** {@code pm-account-stream derive} in a JVM of its own, so it can be killed for real. */
  private Process startChild(String name, String commitInterval) throws IOException {
    return startChild(
        name,
        Map.of(
            DeriveConfig.COMMIT_INTERVAL.name(),
            commitInterval,
            // a transaction must outlive the commit interval (Kafka Streams refuses a shorter one)
            "kafka.producer.transaction.timeout.ms",
            "120000"));
  }

  private Process startChild(String name, Map<String, String> extra) throws IOException {
    Map<String, String> flags =
        DeriveItSupport.flags(
            kafka.bootstrapServers(), registry.url(), topics, applicationId, work.resolve("state"));
    flags.putAll(extra);
    // the ops endpoint on any free port: the default 8080 may be taken on a shared machine
    flags.put("ops.http.port", "0");
    Properties properties = new Properties();
    properties.putAll(flags);
    Path config = work.resolve(name + ".properties");
    try (var out = Files.newBufferedWriter(config)) {
      properties.store(out, "derive crash IT " + name);
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-Xmx256m",
                "-Dlogback.configurationFile=" + childLogConfig(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.pmaccountstream.cli.Main",
                "derive",
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(logFile(name).toFile())
            .start();
    children.add(child);
    return child;
  }

  /** Kafka Streams and transaction logs at INFO in the children, for diagnosis of a failure. */
  private Path childLogConfig() throws IOException {
    Path config = work.resolve("logback-child.xml");
    Files.writeString(
        config,
        """
        <configuration>
          <appender name="text" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n</pattern></encoder>
          </appender>
          <logger name="org.apache.kafka" level="WARN"/>
          <logger name="org.apache.kafka.streams" level="INFO"/>
          <logger name="org.apache.kafka.clients.producer.internals.TransactionManager" level="INFO"/>
          <root level="INFO"><appender-ref ref="text"/></root>
        </configuration>
        """);
    return config;
  }

  /** Child logs stay in target/ after the run, for diagnosis. */
  private Path logFile(String name) throws IOException {
    Path dir = Path.of("target", "it-logs", applicationId);
    Files.createDirectories(dir);
    return dir.resolve(name + ".log");
  }

  /** Thread dump of a child still running at the end of a test, next to its log. */
  private void dumpThreads(Process child) throws IOException, InterruptedException {
    Path jstack = Path.of(System.getProperty("java.home"), "bin", "jstack");
    if (Files.isExecutable(jstack)) {
      new ProcessBuilder(jstack.toString(), String.valueOf(child.pid()))
          .redirectErrorStream(true)
          .redirectOutput(logFile("threads-" + child.pid()).toFile())
          .start()
          .waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static void kill(Process child) throws InterruptedException {
    child.destroyForcibly();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("killed child exited").isTrue();
  }

  /** The real registry client, except that registering under one subject fails N times. */
  private static final class FailingOnce implements SchemaRegistryClient {
    private final SchemaRegistryClient delegate;
    private final String subject;
    private final AtomicInteger remaining;
    private final AtomicInteger failures = new AtomicInteger();

    FailingOnce(SchemaRegistryClient delegate, String subject, int times) {
      this.delegate = delegate;
      this.subject = subject;
      this.remaining = new AtomicInteger(times);
    }

    @Override
    public int register(String subject, Schema schema) {
      if (subject.equals(this.subject) && remaining.getAndDecrement() > 0) {
        failures.incrementAndGet();
        throw SchemaRegistryException.unreachable(
            "register a schema under subject '" + subject + "'",
            "http://127.0.0.1:1",
            new ConnectException("injected failure"));
      }
      return delegate.register(subject, schema);
    }

    @Override
    public Schema schemaById(int id) {
      return delegate.schemaById(id);
    }

    @Override
    public java.util.Optional<String> compatibility(String subject) {
      return delegate.compatibility(subject);
    }

    @Override
    public void setCompatibility(String subject, String level) {
      delegate.setCompatibility(subject, level);
    }

    @Override
    public void close() {}

    int failures() {
      return failures.get();
    }
  }
}
