package io.pmaccountstream.streams;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.ops.HealthCheck;
import io.pmaccountstream.serde.SchemaRegistryClient;
import io.pmaccountstream.serde.SubjectCompatibility;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The derive application: the derivation topology under Kafka Streams with exactly-once processing.
 *
 * <p>Lifecycle: {@link #start()} checks the topics ({@link TopicSetup}), makes the output and
 * changelog subjects BACKWARD_TRANSITIVE, starts Streams and binds its metrics to Micrometer; a
 * stream thread that dies is handled by {@link ThreadReplacementPolicy} (wait out a registry
 * outage, replace a few times, then shut down so the process exits non-zero); {@link #readiness()}
 * and {@link #liveness()} are the health checks of the ops endpoint; {@link #close(Duration)} stops
 * cleanly within a timeout (the CLI calls it on SIGTERM); {@link #stopped()} completes when Streams
 * stops, by close or by error.
 */
public final class DeriveApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeriveApp.class);

  /** {@code ThreadMetadata.threadState()} of a stream thread that no longer processes. */
  private static final Set<String> DEAD_THREAD_STATES = Set.of("DEAD", "PENDING_SHUTDOWN");

  /** Every setting of the app, read and validated together. */
  public record Settings(KafkaConnection connection, TopologyConfig topology, DeriveConfig derive) {

    public Settings {
      Objects.requireNonNull(connection, "connection");
      Objects.requireNonNull(topology, "topology");
      Objects.requireNonNull(derive, "derive");
    }

    /**
     * Reads and validates every component.
     *
     * @throws ConfigException listing every problem of every component (and those the reader had
     *     found before)
     */
    public static Settings from(ConfigReader reader) {
      KafkaConnection connection = KafkaConnection.from(reader);
      TopologyConfig topology = readingOn(() -> TopologyConfig.from(reader));
      DeriveConfig derive = readingOn(() -> DeriveConfig.from(reader));
      reader.throwIfProblems();
      return new Settings(connection, topology, derive);
    }

    /**
     * A component, or null when it is invalid: its problems are in the reader, and reading the next
     * component adds that one's, so {@link ConfigReader#throwIfProblems()} lists them all.
     */
    private static <T> T readingOn(Supplier<T> component) {
      try {
        return component.get();
      } catch (ConfigException e) {
        return null;
      }
    }

    public static List<ConfigField<?>> fields() {
      List<ConfigField<?>> fields = new ArrayList<>(KafkaConnection.fields());
      fields.addAll(TopologyConfig.fields());
      fields.addAll(DeriveConfig.fields());
      return List.copyOf(fields);
    }
  }

  private final Settings settings;
  private final KafkaStreams streams;
  private final SchemaRegistryClient registry;
  private final MeterRegistry meters;
  private final CompletableFuture<KafkaStreams.State> stopped = new CompletableFuture<>();
  private KafkaStreamsMetrics streamsMetrics;
  private volatile boolean closeRequested;
  private ScheduledExecutorService metricsScheduler;

  private DeriveApp(
      Settings settings,
      KafkaStreams streams,
      SchemaRegistryClient registry,
      MeterRegistry meters) {
    this.settings = settings;
    this.streams = streams;
    this.registry = registry;
    this.meters = meters;
  }

  /**
   * The app, not started. The registry client stays the caller's: close it after the app.
   *
   * @param registry resolves and registers the schemas of every topic and of the state store
   * @param meters receives the Kafka Streams metrics, the derivation's own included
   */
  public static DeriveApp create(
      Settings settings, SchemaRegistryClient registry, MeterRegistry meters) {
    Topology topology =
        DerivationTopology.build(settings.topology(), DerivationSerdes.create(registry));
    KafkaStreams streams = new KafkaStreams(topology, streamsProperties(settings));
    DeriveApp app = new DeriveApp(settings, streams, registry, meters);
    streams.setStateListener(app::onStateChange);
    streams.setUncaughtExceptionHandler(
        new ThreadReplacementPolicy(
            settings.derive().threadReplacements(),
            settings.derive().replacementWindow(),
            Clock.systemUTC()));
    return app;
  }

  /** The Kafka Streams configuration: exactly-once v2, our application id, state dir, commits. */
  static Properties streamsProperties(Settings settings) {
    DeriveConfig derive = settings.derive();
    Properties props = new Properties();
    props.putAll(settings.connection().clientProperties());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, derive.applicationId());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, derive.commitInterval().toMillis());
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, derive.threads());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, derive.replicationFactor());
    props.putAll(deadLetterProperties(settings.topology().topics()));
    // The topology has no global store, so this changes nothing but the WARN every StreamsConfig
    // logs while it is false (its default until Kafka 5.0 enables it for good). The main
    // consumer's partition assignor builds a StreamsConfig of its own from the consumer's settings,
    // so it needs the setting too.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    props.put(
        StreamsConfig.mainConsumerPrefix(
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG),
        true);
    derive.stateDir().ifPresent(dir -> props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString()));
    props.putAll(BoundedRocksDbConfig.streamsProperties(derive.rocksDbMemoryMb()));
    return props;
  }

  /**
   * The error handlers that dead-letter bad records to the derive dead-letter topic and skip them,
   * and the topic they write to.
   */
  static Map<String, Object> deadLetterProperties(Topics topics) {
    return Map.of(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        UndecodableSnapshotHandler.class.getName(),
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProcessingHandler.class.getName(),
        StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
        topics.deriveDeadLetter());
  }

  /**
   * Checks or creates the topics, then starts processing.
   *
   * @throws DeriveStartupException when a topic is missing or misconfigured
   */
  public void start() {
    try (Admin admin = Admin.create(settings.connection().clientProperties())) {
      new TopicSetup(admin, settings.derive().startupTimeout())
          .prepare(
              settings.topology().topics(),
              settings.derive().createTopics(),
              settings.derive().replicationFactor());
    }
    SubjectCompatibility.ensureBackwardTransitive(registry, compatibilityTopics());
    metricsScheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "derive-metrics-refresh");
              thread.setDaemon(true);
              return thread;
            });
    streamsMetrics =
        new KafkaStreamsMetrics(
            streams, List.of(), metricsScheduler, settings.derive().metricsRefresh());
    streamsMetrics.bindTo(meters);
    Gauge.builder("pm.derive.running", this, app -> app.isRunning() ? 1 : 0)
        .description("1 while the derive app's Kafka Streams client is RUNNING")
        .register(meters);
    streams.start();
    log.info(
        "Derive app {} started: {} -> {}, {}, {}",
        settings.derive().applicationId(),
        settings.topology().topics().snapshots(),
        settings.topology().topics().statusTransitions(),
        settings.topology().topics().lowUniMmr(),
        settings.topology().topics().latest());
  }

  /**
   * The topics whose value subjects must stay BACKWARD_TRANSITIVE: the outputs, read back by
   * consumers and replays with the newest schema, and the store's changelog, restored with it.
   */
  List<String> compatibilityTopics() {
    Topics topics = settings.topology().topics();
    return List.of(
        topics.statusTransitions(),
        topics.lowUniMmr(),
        topics.latest(),
        DerivationTopology.changelogTopic(settings.derive().applicationId()));
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** RUNNING: processing (readiness). */
  public boolean isRunning() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  /** Readiness: UP while Kafka Streams is RUNNING; the reason names the state otherwise. */
  public HealthCheck readiness() {
    return HealthCheck.named(
        "kafka-streams",
        () ->
            isRunning()
                ? HealthCheck.Result.up("RUNNING")
                : HealthCheck.Result.down("Kafka Streams state " + state()));
  }

  /**
   * Liveness: DOWN when Kafka Streams gave up (ERROR), stopped without being asked to, or runs with
   * fewer live stream threads than {@code derive.threads} (a thread died and was not replaced), so
   * the supervisor restarts the process. A thread being replaced is DOWN for that moment only;
   * probes should allow a few failures.
   */
  public HealthCheck liveness() {
    return HealthCheck.named("kafka-streams-alive", this::checkAlive);
  }

  private HealthCheck.Result checkAlive() {
    KafkaStreams.State state = streams.state();
    if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
      return HealthCheck.Result.down("Kafka Streams is in " + state + " (see the log)");
    }
    if (!state.isRunningOrRebalancing()) {
      return closeRequested || state == KafkaStreams.State.CREATED
          ? HealthCheck.Result.up(state.toString())
          : HealthCheck.Result.down("Kafka Streams stopped (" + state + ") without a close");
    }
    long live =
        streams.metadataForLocalThreads().stream()
            .filter(t -> !DEAD_THREAD_STATES.contains(t.threadState()))
            .count();
    int configured = settings.derive().threads();
    return live < configured
        ? HealthCheck.Result.down(live + " of " + configured + " stream threads alive")
        : HealthCheck.Result.up(state + ", " + live + " stream thread(s) alive");
  }

  /** Completes with NOT_RUNNING after a close, or ERROR when Streams gave up. */
  public CompletableFuture<KafkaStreams.State> stopped() {
    return stopped;
  }

  /** Stops within {@code timeout}; true when Streams stopped cleanly in time. */
  public boolean close(Duration timeout) {
    closeRequested = true;
    boolean clean = streams.close(timeout);
    if (streamsMetrics != null) {
      streamsMetrics.close();
      metricsScheduler.shutdownNow();
    }
    if (!clean) {
      log.warn("Derive app did not stop within {}", timeout);
    }
    return clean;
  }

  @Override
  public void close() {
    close(settings.derive().shutdownTimeout());
  }

  private void onStateChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
    log.info("Kafka Streams state {} -> {}", oldState, newState);
    if (newState == KafkaStreams.State.NOT_RUNNING || newState == KafkaStreams.State.ERROR) {
      stopped.complete(newState);
    }
  }
}
