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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The derive application: the derivation topology under Kafka Streams with exactly-once processing.
 *
 * <p>Lifecycle: {@link #start()} resolves what to emit ({@link FirstStart}), waits for the input
 * topic and checks the others ({@link TopicSetup}), makes the output and changelog subjects
 * BACKWARD_TRANSITIVE, starts Streams and binds its metrics to Micrometer; a stream thread that
 * dies is handled by {@link ThreadReplacementPolicy} (wait out a registry outage, replace a few
 * times, then shut down so the process exits non-zero); {@link #readiness()} and {@link
 * #liveness()} are the health checks of the ops endpoint; {@link #close(Duration)} stops cleanly
 * within a timeout (the CLI calls it on SIGTERM); {@link #stopped()} completes when Streams stops,
 * by close or by error.
 */
public final class DeriveApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeriveApp.class);

  /** Consumer settings derive owns, by the derive key that sets them. */
  private static final Map<String, String> TYPED_CONSUMER_KEYS =
      Map.of(
          ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, DeriveConfig.INSTANCE_ID.name(),
          ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, DeriveConfig.SESSION_TIMEOUT.name());

  /** How often derive looks for its input topic while it waits for it. */
  static final Duration INPUT_POLL_INTERVAL = Duration.ofSeconds(1);

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
      Optional<KafkaConnection> connection = reader.component(KafkaConnection::from);
      Optional<TopologyConfig> topology = reader.component(TopologyConfig::from);
      Optional<DeriveConfig> derive = reader.component(DeriveConfig::from);
      connection.ifPresent(c -> checkTypedConsumerKeys(c, reader));
      reader.throwIfProblems();
      return new Settings(connection.orElseThrow(), topology.orElseThrow(), derive.orElseThrow());
    }

    /** Consumer settings derive owns may not be passed through as {@code kafka.*} keys. */
    private static void checkTypedConsumerKeys(KafkaConnection connection, ConfigReader reader) {
      for (String key : TYPED_CONSUMER_KEYS.keySet()) {
        for (String prefix : List.of("", "consumer.", "main.consumer.")) {
          if (connection.clientProperties().containsKey(prefix + key)) {
            reader.problem(
                KafkaConnection.CLIENT_PREFIX
                    + prefix
                    + key
                    + ": derive sets it from "
                    + TYPED_CONSUMER_KEYS.get(key)
                    + "; set that instead");
          }
        }
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
  private final SchemaRegistryClient registry;
  private final MeterRegistry meters;
  private final Clock clock;
  private final CompletableFuture<KafkaStreams.State> stopped = new CompletableFuture<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Object lifecycle = new Object();

  /** Created by {@link #start()} once the topics are ready and what to emit is known. */
  private volatile KafkaStreams streams;

  /** Judges {@link #streams}; set with it. */
  private volatile StreamsLiveness liveness;

  /** Why the app is not processing yet, while it starts; null once Streams runs. */
  private volatile String starting = "not started";

  private KafkaStreamsMetrics streamsMetrics;
  private volatile boolean closeRequested;
  private ScheduledExecutorService metricsScheduler;

  private DeriveApp(
      Settings settings, SchemaRegistryClient registry, MeterRegistry meters, Clock clock) {
    this.settings = settings;
    this.registry = registry;
    this.meters = meters;
    this.clock = clock;
  }

  /**
   * The app, not started. The registry client stays the caller's: close it after the app.
   *
   * @param registry resolves and registers the schemas of every topic and of the state store
   * @param meters receives the Kafka Streams metrics, the derivation's own included
   */
  public static DeriveApp create(
      Settings settings, SchemaRegistryClient registry, MeterRegistry meters) {
    return new DeriveApp(settings, registry, meters, Clock.systemUTC());
  }

  private KafkaStreams createStreams(EmitFrom emitFrom) {
    Topology topology =
        DerivationTopology.build(settings.topology(), DerivationSerdes.create(registry), emitFrom);
    Properties props = streamsProperties(settings);
    KafkaStreams created = new KafkaStreams(topology, props);
    liveness = new StreamsLiveness(settings.derive().threads(), maxPollInterval(props));
    created.setStateListener(this::onStateChange);
    created.setUncaughtExceptionHandler(
        new ThreadReplacementPolicy(
            settings.derive().threadReplacements(), settings.derive().replacementWindow(), clock));
    return created;
  }

  /**
   * Kafka Streams settings derive ships instead of Streams' own defaults, for latency; {@code
   * kafka.}-prefixed client properties override each (see docs/performance.md for the figures).
   *
   * <ul>
   *   <li>{@code poll.ms} 10 (Streams: 100): an idle stream thread looks at the commit interval
   *       again after at most 10 ms, so an exactly-once output is not held up to 100 ms past its
   *       commit interval.
   *   <li>producer {@code linger.ms} 5 (Streams: 100): at-least-once outputs leave within 5 ms.
   *       Exactly-once flushes at each commit anyway; under a backlog batches fill by size.
   *   <li>producer {@code batch.size} 64 KiB (Kafka: 16 KiB): fewer, larger produce requests while
   *       catching up.
   * </ul>
   */
  public static final Map<String, Object> TUNING =
      Map.of(
          StreamsConfig.POLL_MS_CONFIG,
          10L,
          StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
          5,
          StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG),
          64 * 1024);

  /**
   * The Kafka Streams configuration: exactly-once v2, our application id, state dir, commits, the
   * {@link #TUNING} defaults (overridden by {@code kafka.}-prefixed client properties).
   */
  public static Properties streamsProperties(Settings settings) {
    DeriveConfig derive = settings.derive();
    Properties props = new Properties();
    props.putAll(TUNING);
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
    // Kafka Streams suffixes the id with the stream thread's index, one member per thread
    derive
        .instanceId()
        .ifPresent(
            id ->
                props.put(
                    StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), id));
    props.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
        (int) derive.sessionTimeout().toMillis());
    return props;
  }

  /**
   * The main consumer's {@code max.poll.interval.ms} under these Streams properties: {@code
   * main.consumer.}, then {@code consumer.}, then unprefixed, then the consumer's default (Streams
   * does not override it).
   */
  static Duration maxPollInterval(Properties streamsProperties) {
    // doLog false: Streams logs every value itself when it starts
    Map<String, Object> consumer =
        new StreamsConfig(streamsProperties, false) {}.getMainConsumerConfigs(
            "derive", "derive", 0);
    Object configured =
        consumer.getOrDefault(
            ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
            ConsumerConfig.configDef()
                .defaultValues()
                .get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG));
    int millis =
        (Integer)
            ConfigDef.parseType(
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, configured, ConfigDef.Type.INT);
    return Duration.ofMillis(millis);
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
   * Resolves which snapshots emit ({@code derive.emit.from}), waits for the input topic, checks or
   * creates the outputs, then starts processing. Blocks while it waits for the input topic (not
   * ready, {@link #readiness()} says why); {@link #close} ends the wait.
   *
   * @return true when Streams started, false when the app was closed before
   * @throws DeriveStartupException when a topic is misconfigured or the cluster does not answer
   */
  public boolean start() {
    DeriveConfig derive = settings.derive();
    Topics topics = settings.topology().topics();
    EmitFrom emitFrom;
    starting = "checking topics";
    try (Admin admin = Admin.create(settings.connection().clientProperties())) {
      TopicSetup setup = new TopicSetup(admin, derive.startupTimeout());
      emitFrom = resolveEmitFrom(setup);
      starting = "waiting for input topic " + topics.snapshots();
      Optional<Integer> partitions =
          setup.awaitInput(topics.snapshots(), INPUT_POLL_INTERVAL, this::pauseUnlessClosing);
      if (partitions.isEmpty()) {
        return false;
      }
      starting = "checking output topics";
      setup.prepareOutputs(
          topics, partitions.get(), derive.createTopics(), derive.replicationFactor());
    }
    SubjectCompatibility.ensureBackwardTransitive(registry, compatibilityTopics());
    synchronized (lifecycle) {
      if (closeRequested) {
        return false;
      }
      streams = createStreams(emitFrom);
      bindMetrics();
      streams.start();
      starting = null;
    }
    log.info(
        "Derive app {} started: {} -> {}, {}, {}; emitting {}{}",
        derive.applicationId(),
        topics.snapshots(),
        topics.statusTransitions(),
        topics.lowUniMmr(),
        topics.latest(),
        emitFrom,
        derive.instanceId().map(id -> "; static member " + id).orElse(""));
    return true;
  }

  private EmitFrom resolveEmitFrom(TopicSetup setup) {
    DeriveConfig derive = settings.derive();
    if (derive.emitFrom() == DeriveConfig.EmitFromPolicy.ALL) {
      return EmitFrom.all();
    }
    Instant firstStart =
        new FirstStart(
                setup, settings.connection().clientProperties(), derive.startupTimeout(), clock)
            .resolve(
                derive.applicationId(),
                settings.topology().topics().snapshots(),
                derive.replicationFactor());
    return EmitFrom.since(firstStart);
  }

  /** Waits {@code duration}; false when a close was requested (or the thread interrupted). */
  private boolean pauseUnlessClosing(Duration duration) {
    try {
      return !closing.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void bindMetrics() {
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

  /** The Streams client's state; CREATED before it started. */
  public KafkaStreams.State state() {
    KafkaStreams current = streams;
    return current == null ? KafkaStreams.State.CREATED : current.state();
  }

  /** RUNNING: processing (readiness). */
  public boolean isRunning() {
    return state() == KafkaStreams.State.RUNNING;
  }

  /**
   * Readiness: UP while Kafka Streams is RUNNING; the reason says what start-up waits for (such as
   * the input topic) or names the state otherwise.
   */
  public HealthCheck readiness() {
    return HealthCheck.named("kafka-streams", this::checkReady);
  }

  private HealthCheck.Result checkReady() {
    String reason = starting;
    if (reason != null) {
      return HealthCheck.Result.down(reason);
    }
    return isRunning()
        ? HealthCheck.Result.up("RUNNING")
        : HealthCheck.Result.down("Kafka Streams state " + state());
  }

  /**
   * Liveness: DOWN when Kafka Streams gave up (ERROR), stopped without being asked to, runs with
   * fewer live stream threads than {@code derive.threads} (a thread died and was not replaced), or
   * has a stream thread that did not poll within {@code max.poll.interval.ms} (wedged), so the
   * supervisor restarts the process ({@link StreamsLiveness}). A thread being replaced is DOWN for
   * that moment only; probes should allow a few failures.
   */
  public HealthCheck liveness() {
    return HealthCheck.named("kafka-streams-alive", this::checkAlive);
  }

  private HealthCheck.Result checkAlive() {
    KafkaStreams current = streams;
    if (current == null) {
      return HealthCheck.Result.up(starting == null ? "not started" : starting);
    }
    return liveness.check(
        current.state(), closeRequested, current::metadataForLocalThreads, current::metrics);
  }

  /** Completes with NOT_RUNNING after a close, or ERROR when Streams gave up. */
  public CompletableFuture<KafkaStreams.State> stopped() {
    return stopped;
  }

  /** Stops within {@code timeout}; true when Streams stopped cleanly in time. */
  public boolean close(Duration timeout) {
    KafkaStreams current;
    synchronized (lifecycle) {
      closeRequested = true;
      closing.countDown();
      current = streams;
    }
    if (current == null) {
      stopped.complete(KafkaStreams.State.NOT_RUNNING);
      return true;
    }
    boolean clean = current.close(timeout);
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
