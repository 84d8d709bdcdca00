package io.pmaccountstream.streams;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the derive application runs: its Kafka Streams identity and resources, topic creation and the
 * policy for crashed stream threads. What it derives is {@link TopologyConfig}'s.
 *
 * @param applicationId Streams application id: consumer group, prefix of internal topics
 * @param stateDir where the state store lives; empty for Kafka Streams' default ({@code
 *     <java.io.tmpdir>/kafka-streams})
 * @param commitInterval how often a transaction commits (latency of outputs under exactly-once)
 * @param threads stream threads
 * @param replicationFactor of internal topics and of output topics this app creates; -1 for the
 *     broker default
 * @param createTopics create missing output topics at start-up
 * @param threadReplacements crashed stream threads replaced within {@code replacementWindow} before
 *     the client shuts down
 * @param replacementWindow the window of {@code threadReplacements}
 * @param metricsRefresh how often new Kafka Streams metrics (of newly assigned tasks) are bound to
 *     Micrometer
 * @param startupTimeout how long topic checks at start-up may wait for the cluster
 * @param shutdownTimeout how long a clean close may take
 * @param rocksDbMemoryMb off-heap bound of all state stores ({@link BoundedRocksDbConfig})
 * @param emitFrom which snapshots emit events: those observed after the application first started,
 *     or all
 * @param instanceId static group membership ({@code group.instance.id}, KIP-345) of this instance;
 *     empty for dynamic membership
 * @param sessionTimeout how long the group waits for a silent member before moving its tasks
 */
public record DeriveConfig(
    String applicationId,
    Optional<Path> stateDir,
    Duration commitInterval,
    int threads,
    int replicationFactor,
    boolean createTopics,
    int threadReplacements,
    Duration replacementWindow,
    Duration metricsRefresh,
    Duration startupTimeout,
    Duration shutdownTimeout,
    int rocksDbMemoryMb,
    EmitFromPolicy emitFrom,
    Optional<String> instanceId,
    Duration sessionTimeout) {

  /** Which snapshots emit events ({@code derive.emit.from}). */
  public enum EmitFromPolicy {
    /**
     * Only snapshots observed at or after the application's first start (recorded in Kafka); the
     * history before it only warms the state up. An application that first starts on an input
     * without history emits everything.
     */
    FIRST_START,
    /** Every snapshot, the whole retained history included. */
    ALL
  }

  /**
   * A StatefulSet pod's name: the set's name, a dash and the ordinal, which stays with the pod
   * across restarts.
   */
  private static final Pattern STATEFUL_SET_POD =
      Pattern.compile("[a-z0-9]([-a-z0-9.]*)-(0|[1-9][0-9]*)");

  public DeriveConfig {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(commitInterval, "commitInterval");
    Objects.requireNonNull(replacementWindow, "replacementWindow");
    Objects.requireNonNull(metricsRefresh, "metricsRefresh");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    Objects.requireNonNull(emitFrom, "emitFrom");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(sessionTimeout, "sessionTimeout");
  }

  public static final ConfigField<String> APPLICATION_ID =
      ConfigField.string(
              "derive.application.id",
              "Kafka Streams application id (consumer group and prefix of internal topics)")
          .withDefault("pm-account-stream-derive")
          .validate(s -> s.matches("[a-zA-Z0-9._-]{1,200}"), "letters, digits, '.', '_', '-'");
  public static final ConfigField<Path> STATE_DIR =
      ConfigField.path(
          "derive.state.dir",
          "Directory of the state store (a volume in k8s); Kafka Streams' default when unset");
  public static final ConfigField<Duration> COMMIT_INTERVAL =
      ConfigField.duration(
              "derive.commit.interval",
              "Transaction commit interval: how long derived events wait before consumers see"
                  + " them (25ms keeps the exactly-once end-to-end p99 under 100 ms at some"
                  + " throughput, docs/performance.md)")
          .withDefault("25ms")
          .validate(d -> !d.isNegative() && !d.isZero(), "positive");
  public static final ConfigField<Integer> THREADS =
      ConfigField.integer("derive.threads", "Stream threads")
          .withDefault("1")
          .validate(n -> n >= 1 && n <= 64, "between 1 and 64");
  public static final ConfigField<Integer> REPLICATION_FACTOR =
      ConfigField.integer(
              "derive.replication.factor",
              "Replication factor of internal topics and of output topics created at start-up;"
                  + " -1 for the broker default")
          .withDefault("-1")
          .validate(n -> n == -1 || (n >= 1 && n <= Short.MAX_VALUE), "-1 or at least 1");
  public static final ConfigField<Boolean> CREATE_TOPICS =
      ConfigField.bool(
              "derive.create.topics",
              "Create missing output topics at start-up (latest compacted); when false they must"
                  + " exist")
          .withDefault("true");
  public static final ConfigField<Integer> THREAD_REPLACEMENTS =
      ConfigField.integer(
              "derive.thread.replacements",
              "Crashed stream threads replaced within the window before the app shuts down")
          .withDefault("3")
          .validate(n -> n >= 0 && n <= 1000, "between 0 and 1000");
  public static final ConfigField<Duration> REPLACEMENT_WINDOW =
      ConfigField.duration(
              "derive.thread.replacement.window", "Window of derive.thread.replacements")
          .withDefault("10m")
          .validate(d -> !d.isNegative() && !d.isZero(), "positive");
  public static final ConfigField<Duration> METRICS_REFRESH =
      ConfigField.duration(
              "derive.metrics.refresh",
              "How often Kafka Streams metrics of newly assigned tasks are bound to Micrometer")
          .withDefault("15s")
          .validate(d -> !d.isNegative() && !d.isZero(), "positive");
  public static final ConfigField<Duration> STARTUP_TIMEOUT =
      ConfigField.duration(
              "derive.startup.timeout", "How long topic checks at start-up wait for Kafka")
          .withDefault("30s")
          .validate(d -> !d.isNegative() && !d.isZero(), "positive");
  public static final ConfigField<Duration> SHUTDOWN_TIMEOUT =
      ConfigField.duration("derive.shutdown.timeout", "How long a clean shutdown may take")
          .withDefault("30s")
          .validate(d -> !d.isNegative() && !d.isZero(), "positive");

  public static final ConfigField<EmitFromPolicy> EMIT_FROM =
      ConfigField.enumeration(
              "derive.emit.from",
              EmitFromPolicy.class,
              "Which snapshots emit events: first-start (those observed after the application"
                  + " first started, the older history only warms the state up; everything when"
                  + " the input had no history then) or all (re-derive and emit the whole retained"
                  + " history)")
          .withDefault("first-start");
  public static final ConfigField<String> INSTANCE_ID =
      ConfigField.string(
              "derive.instance.id",
              "Static group membership (group.instance.id): a restarted instance takes its tasks"
                  + " back at once. Default: the pod name (HOSTNAME) in a StatefulSet pod,"
                  + " none (dynamic membership) elsewhere; unique per instance")
          .validate(s -> s.matches("[a-zA-Z0-9._-]{1,200}"), "letters, digits, '.', '_', '-'");
  public static final ConfigField<Duration> SESSION_TIMEOUT =
      ConfigField.duration(
              "derive.session.timeout",
              "How long the group waits for a silent instance (crashed, or restarting with its"
                  + " derive.instance.id) before moving its tasks to the others")
          .withDefault("30s")
          .validate(
              d ->
                  d.compareTo(Duration.ofSeconds(1)) >= 0
                      && d.compareTo(Duration.ofMinutes(30)) <= 0,
              "between 1s and 30m (and within the broker's group.min/max.session.timeout.ms)");

  /**
   * Reads and validates every field, with the process environment for the default instance id.
   *
   * @throws ConfigException listing every problem the reader has found so far, when any of these
   *     fields is invalid
   */
  public static DeriveConfig from(ConfigReader reader) {
    return from(reader, System.getenv());
  }

  /**
   * The instance id when {@code derive.instance.id} is not set: {@code HOSTNAME} in a Kubernetes
   * pod ({@code KUBERNETES_SERVICE_HOST} set) whose name looks like a StatefulSet pod's ({@code
   * <name>-<ordinal>}), which a restarted pod keeps. Elsewhere none: two processes on one host
   * would share a host name, and a second member with the same id fences the first.
   */
  static Optional<String> defaultInstanceId(Map<String, String> env) {
    String hostname = env.get("HOSTNAME");
    if (env.get("KUBERNETES_SERVICE_HOST") == null || hostname == null) {
      return Optional.empty();
    }
    return STATEFUL_SET_POD.matcher(hostname).matches() ? Optional.of(hostname) : Optional.empty();
  }

  /**
   * Reads and validates every field; {@code env} gives the default instance id.
   *
   * @throws ConfigException listing every problem the reader has found so far, when any of these
   *     fields is invalid
   */
  static DeriveConfig from(ConfigReader reader, Map<String, String> env) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    String applicationId = reader.get(APPLICATION_ID);
    Optional<Path> stateDir = reader.read(STATE_DIR);
    Duration commitInterval = reader.get(COMMIT_INTERVAL);
    Integer threads = reader.get(THREADS);
    Integer replicationFactor = reader.get(REPLICATION_FACTOR);
    Boolean createTopics = reader.get(CREATE_TOPICS);
    Integer threadReplacements = reader.get(THREAD_REPLACEMENTS);
    Duration replacementWindow = reader.get(REPLACEMENT_WINDOW);
    Duration metricsRefresh = reader.get(METRICS_REFRESH);
    Duration startupTimeout = reader.get(STARTUP_TIMEOUT);
    Duration shutdownTimeout = reader.get(SHUTDOWN_TIMEOUT);
    Integer rocksDbMemoryMb = reader.get(BoundedRocksDbConfig.MEMORY_MB);
    EmitFromPolicy emitFrom = reader.get(EMIT_FROM);
    Optional<String> instanceId = reader.read(INSTANCE_ID);
    Duration sessionTimeout = reader.get(SESSION_TIMEOUT);
    checkpoint.throwIfNewProblems();
    return new DeriveConfig(
        applicationId,
        stateDir,
        commitInterval,
        threads,
        replicationFactor,
        createTopics,
        threadReplacements,
        replacementWindow,
        metricsRefresh,
        startupTimeout,
        shutdownTimeout,
        rocksDbMemoryMb,
        emitFrom,
        instanceId == null || instanceId.isEmpty() ? defaultInstanceId(env) : instanceId,
        sessionTimeout);
  }

  public static List<ConfigField<?>> fields() {
    return List.of(
        APPLICATION_ID,
        STATE_DIR,
        COMMIT_INTERVAL,
        THREADS,
        REPLICATION_FACTOR,
        CREATE_TOPICS,
        THREAD_REPLACEMENTS,
        REPLACEMENT_WINDOW,
        METRICS_REFRESH,
        STARTUP_TIMEOUT,
        SHUTDOWN_TIMEOUT,
        BoundedRocksDbConfig.MEMORY_MB,
        EMIT_FROM,
        INSTANCE_ID,
        SESSION_TIMEOUT);
  }
}
