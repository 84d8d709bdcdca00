package io.pmaccountstream.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.GrouplessConsumer;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.TopicCreation;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.streams.DeriveApp;
import io.pmaccountstream.streams.TopicSetup;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: the whole pipeline on a local broker and registry. Starts the Binance PM simulator
 * (scenarios margin-call and liquidation), the derive app and the poller in this process, prints
 * every derived event as it is committed, and stops everything after {@code --duration} or on
 * Ctrl-C.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run simulator -> poller -> Kafka -> derive on a local broker and registry and print derived events live.",
      "bin/demo starts bin/local-stack and passes its addresses."
    })
final class DemoCommand implements Callable<Integer> {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final String ROW = "%-8s  %-16s  %-10s  %-44s  %s%n";

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Option(
      names = "--duration",
      defaultValue = "2m",
      description = "How long to run (default ${DEFAULT-VALUE}).")
  String duration;

  @Option(
      names = "--speed",
      defaultValue = "20",
      description = "Scenario time runs this many times faster (default ${DEFAULT-VALUE}).")
  double speed;

  @Option(
      names = "--accounts",
      defaultValue = "2",
      description = "Accounts per scenario (default ${DEFAULT-VALUE}).")
  int accountsPerScenario;

  @Option(
      names = "--poll-interval",
      defaultValue = "1s",
      description = "Poll interval (default ${DEFAULT-VALUE}).")
  String pollInterval;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Simulator seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--work-dir",
      defaultValue = "target/demo",
      description = {
        "Directory of the demo's log file (demo.log, kept after the run) and its Kafka Streams state",
        "(deleted at the end). Default ${DEFAULT-VALUE}, relative to the current directory."
      })
  Path workDir;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Duration runFor = runFor();
    Path work = workDir.toAbsolutePath().normalize();
    Path logFile = work.resolve("demo.log");
    Path state = work.resolve("state");
    Path credentials = work.resolve("credentials.properties");
    deleteQuietly(state);
    Files.createDirectories(work);
    try (DemoLog log = DemoLog.redirectTo(logFile)) {
      out.printf("Logs: %s%n", logFile);
      out.flush();
      return run(out, runFor, credentials, state);
    } finally {
      deleteQuietly(state);
      Files.deleteIfExists(credentials);
    }
  }

  private int run(PrintWriter out, Duration runFor, Path credentials, Path state) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (BinancePmSimulator simulator =
        BinancePmSimulator.builder()
            .scenario("margin-call", "liquidation")
            .accounts(accountsPerScenario)
            .seed(seed)
            .speed(speed)
            .build()
            .start()) {
      simulator.writeCredentials(credentials);
      Settings settings =
          Settings.load(Optional.of(credentials), Map.of(), flags(simulator, state));
      PollerApp.Settings pollerSettings = ConfigOptions.read(settings, PollerApp.Settings::from);
      DeriveApp.Settings deriveSettings = ConfigOptions.read(settings, DeriveApp.Settings::from);
      Topics topics = pollerSettings.topics();
      out.printf(
          "Simulator %s: %d accounts (margin-call, liquidation) at %.0fx speed; polling every %s for %s%n",
          simulator.baseUrl(), simulator.accounts().size(), speed, pollInterval, runFor);
      try (HttpSchemaRegistryClient registry =
              HttpSchemaRegistryClient.from(deriveSettings.connection());
          DeriveApp derive = DeriveApp.create(deriveSettings, registry, meters)) {
        createInputTopics(pollerSettings);
        derive.start();
        return runAndPrint(out, pollerSettings, derive, topics, runFor, meters);
      }
    }
  }

  private int runAndPrint(
      PrintWriter out,
      PollerApp.Settings pollerSettings,
      DeriveApp derive,
      Topics topics,
      Duration runFor,
      SimpleMeterRegistry meters)
      throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    int[] counts = new int[2];
    try (ShutdownHook hook = ShutdownHook.install("demo-interrupt", stop::countDown);
        KafkaConsumer<String, byte[]> consumer = eventConsumer(pollerSettings.kafka())) {
      List<TopicPartition> partitions = assignAtEnd(consumer, topics);
      ConfluentAvroDeserializer<AccountStatusTransition> transitions =
          deserializer(pollerSettings.kafka(), AccountStatusTransition.class);
      ConfluentAvroDeserializer<UniMmrLevelEvent> levels =
          deserializer(pollerSettings.kafka(), UniMmrLevelEvent.class);
      PollerApp poller = PollerApp.create(pollerSettings, meters);
      poller.start();
      out.printf(ROW, "TIME", "ACCOUNT", "EVENT", "FROM -> TO", "UNIMMR");
      out.flush();
      long deadline = System.nanoTime() + runFor.toNanos();
      while (System.nanoTime() < deadline && stop.getCount() > 0 && !derive.stopped().isDone()) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
          if (record.topic().equals(topics.statusTransitions())) {
            printTransition(out, transitions.deserialize(record.topic(), record.value()));
            counts[0]++;
          } else {
            printLevel(out, levels.deserialize(record.topic(), record.value()));
            counts[1]++;
          }
          out.flush();
        }
      }
      poller.shutdown(Duration.ofSeconds(10));
      out.printf("%n%d status transitions, %d uniMMR level events.%n", counts[0], counts[1]);
      out.println("Read the topics yourself (they stay on the broker while it runs):");
      for (String topic :
          List.of(
              topics.snapshots(),
              topics.statusTransitions(),
              topics.lowUniMmr(),
              topics.latest(),
              topics.deadLetter())) {
        out.printf(
            "  bin/pm-account-stream consume --topic %s --from-beginning --max 20 --bootstrap-servers %s --schema-registry-url %s%n",
            topic,
            pollerSettings.kafka().bootstrapServers(),
            pollerSettings.kafka().schemaRegistryUrl());
      }
      out.flush();
    }
    return counts[0] + counts[1] > 0 ? 0 : 1;
  }

  /**
   * The poller's topics, as an operator would create them (k8s/topics has the production settings),
   * and derive's outputs as derive defines them ({@link TopicSetup#newTopic}).
   */
  private static void createInputTopics(PollerApp.Settings settings) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(settings.kafka().clientProperties())) {
      Topics topics = settings.topics();
      List<org.apache.kafka.clients.admin.NewTopic> created =
          TopicCreation.createMissing(
              admin,
              java.util.stream.Stream.of(
                      topics.snapshots(),
                      topics.deadLetter(),
                      topics.statusTransitions(),
                      topics.lowUniMmr(),
                      topics.latest())
                  .map(t -> TopicSetup.newTopic(topics, t, 3, Optional.of((short) 1)))
                  .toList(),
              Duration.ofSeconds(30));
      if (!created.isEmpty()) {
        awaitVisible(
            admin, created.stream().map(org.apache.kafka.clients.admin.NewTopic::name).toList());
      }
    }
  }

  /** A new topic's metadata reaches every broker a moment after creation; wait for it. */
  private static void awaitVisible(org.apache.kafka.clients.admin.Admin admin, List<String> names)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        admin.describeTopics(names).allTopicNames().get(5, java.util.concurrent.TimeUnit.SECONDS);
        return;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topics " + names + " not visible after 30 s", e);
        }
        Thread.sleep(100);
      }
    }
  }

  /** {@code --duration} and the connection flags, checked together before anything starts. */
  private Duration runFor() {
    return ConfigOptions.read(
        Settings.ofFlags(connection.flags()),
        reader -> {
          reader.component(KafkaConnection::from);
          Optional<Duration> runFor =
              ConfigOptions.positiveDuration(reader, "--duration", duration);
          reader.throwIfProblems();
          return runFor.orElseThrow();
        });
  }

  private Map<String, String> flags(BinancePmSimulator simulator, Path state) {
    Map<String, String> flags = connection.flags();
    flags.put("binance.base.url", simulator.baseUrl());
    flags.put("binance.time.url", simulator.baseUrl() + "/fapi/v1/time");
    // The push path too: the simulator's user-data stream triggers polls as accounts change.
    flags.put("binance.user.stream.enabled", "true");
    flags.put("binance.ws.base.url", simulator.wsBaseUrl());
    flags.put("poll.interval", pollInterval);
    flags.put("derive.application.id", "pm-account-stream-demo");
    // In the work directory, not under /tmp (which the OS may clean: Streams warns about it).
    flags.put("derive.state.dir", state.toString());
    flags.put("derive.commit.interval", "200ms");
    return flags;
  }

  private static KafkaConsumer<String, byte[]> eventConsumer(KafkaConnection kafka) {
    Map<String, Object> props = GrouplessConsumer.readCommitted(kafka.clientProperties());
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static <T extends org.apache.avro.specific.SpecificRecord>
      ConfluentAvroDeserializer<T> deserializer(KafkaConnection kafka, Class<T> type) {
    ConfluentAvroDeserializer<T> deserializer = new ConfluentAvroDeserializer<>();
    Map<String, Object> props = new HashMap<>(kafka.serdeProperties());
    props.put("specific.avro.value.type", type.getName());
    deserializer.configure(props, false);
    return deserializer;
  }

  /** Only events derived from now on: the topics may hold earlier demo runs. */
  private static List<TopicPartition> assignAtEnd(
      KafkaConsumer<String, byte[]> consumer, Topics topics) {
    List<TopicPartition> partitions = new java.util.ArrayList<>();
    for (String topic : List.of(topics.statusTransitions(), topics.lowUniMmr())) {
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    return partitions;
  }

  private static void printTransition(PrintWriter out, AccountStatusTransition t) {
    String from = t.getPreviousStatus() == null ? "(first seen)" : t.getPreviousStatus().name();
    out.printf(
        ROW,
        TIME.format(t.getObservedAt()),
        t.getAccountId(),
        "STATUS",
        from + " -> " + t.getStatusRaw() + " (" + t.getDirection() + ")",
        plain(t.getUniMMR()));
  }

  private static void printLevel(PrintWriter out, UniMmrLevelEvent e) {
    String move =
        e.getKind().name().equals("BREACHED")
            ? "above " + plain(e.getLevel()) + " -> below"
            : "below " + plain(e.getLevel()) + " -> recovered";
    out.printf(
        ROW,
        TIME.format(e.getObservedAt()),
        e.getAccountId(),
        e.getKind().name(),
        move,
        plain(e.getUniMMR()));
  }

  private static String plain(BigDecimal value) {
    return value == null ? "-" : value.stripTrailingZeros().toPlainString();
  }

  private static void deleteQuietly(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
