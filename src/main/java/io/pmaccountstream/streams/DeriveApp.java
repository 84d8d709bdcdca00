package io.pmaccountstream.streams;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.SchemaRegistryClient;
import io.pmaccountstream.serde.SubjectCompatibility;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * stream thread that dies is handled by {@link ThreadReplacementPolicy} (replace a few times, then
 * shut down so the process exits non-zero); {@link #close(Duration)} stops cleanly within a timeout
 * (the CLI calls it on SIGTERM); {@link #stopped()} completes when Streams stops, by close or by
 * error.
 */
public final class DeriveApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeriveApp.class);

  /** Every setting of the app, read and validated together. */
  public record Settings(KafkaConnection connection, TopologyConfig topology, DeriveConfig derive) {

    /** Reads every field; call {@link ConfigReader#throwIfProblems()} before using the result. */
    public static Settings from(ConfigReader reader) {
      return new Settings(
          KafkaConnection.from(reader), TopologyConfig.from(reader), DeriveConfig.from(reader));
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
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        UndecodableSnapshotHandler.class.getName());
    derive.stateDir().ifPresent(dir -> props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString()));
    props.putAll(BoundedRocksDbConfig.streamsProperties(derive.rocksDbMemoryMb()));
    return props;
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

  /** Completes with NOT_RUNNING after a close, or ERROR when Streams gave up. */
  public CompletableFuture<KafkaStreams.State> stopped() {
    return stopped;
  }

  /** Stops within {@code timeout}; true when Streams stopped cleanly in time. */
  public boolean close(Duration timeout) {
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
