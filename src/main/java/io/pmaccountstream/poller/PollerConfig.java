package io.pmaccountstream.poller;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** How the poller schedules, emits and shuts down. */
public record PollerConfig(
    Duration interval,
    double jitter,
    EmissionPolicy emission,
    Duration heartbeat,
    int maxConcurrent,
    Duration shutdownTimeout,
    String instanceId,
    long deadLetterBufferBytes,
    Duration publishRetryBackoff,
    long publishBufferBytes,
    Duration fatalBackoffInitial,
    Duration fatalBackoffMax,
    double staleAfterIntervals) {

  public static final ConfigField<Duration> INTERVAL =
      ConfigField.duration("poll.interval", "Time between two polls of one account")
          .withDefault("5s")
          .validate(d -> d.toMillis() >= 10, "at least 10ms");
  public static final ConfigField<Double> JITTER =
      ConfigField.doubleValue(
              "poll.jitter",
              "Random delay added to each poll, as a fraction of the interval (ticks stay anchored: no drift)")
          .withDefault("0.1")
          .validate(d -> d >= 0 && d < 1, "in [0, 1)");
  public static final ConfigField<EmissionPolicy> EMIT =
      ConfigField.enumeration(
              "poll.emit",
              EmissionPolicy.class,
              "changes: publish when a field other than metadata changed (and every heartbeat); every-poll: every response")
          .withDefault("changes");
  public static final ConfigField<Duration> HEARTBEAT =
      ConfigField.duration(
              "poll.heartbeat",
              "With poll.emit=changes, publish an unchanged account at least this often")
          .withDefault("60s")
          .validate(d -> d.toMillis() > 0, "positive");
  public static final ConfigField<Integer> MAX_CONCURRENT =
      ConfigField.integer("poll.max.concurrent", "Polls in flight at once (worker threads)")
          .withDefault("32")
          .validate(n -> n >= 1 && n <= 1024, "between 1 and 1024");
  public static final ConfigField<Duration> SHUTDOWN_TIMEOUT =
      ConfigField.duration(
              "poll.shutdown.timeout", "On SIGTERM: time to finish polls and send what is unsent")
          .withDefault("30s")
          .validate(d -> d.toMillis() > 0, "positive");
  public static final ConfigField<String> INSTANCE_ID =
      ConfigField.string(
          "poller.instance.id",
          "Written into every snapshot (pollerInstanceId); must differ at every start of a"
              + " process; unset: host (pod) name @ JVM start in epoch ms, e.g."
              + " pm-account-stream-poller-7d9f-abc12@1764583200123");
  public static final ConfigField<Long> DLQ_BUFFER_BYTES =
      ConfigField.longValue(
              "poll.dlq.buffer.bytes",
              "Bytes of dead letters (JSON) held while the broker is unreachable; past it new ones"
                  + " are dropped and counted (pmas.dlq.records{outcome=overflow})")
          .withDefault("8388608")
          .validate(n -> n >= 65536, "at least 65536");
  public static final ConfigField<Long> PUBLISH_BUFFER_BYTES =
      ConfigField.longValue(
              "poll.publish.buffer.bytes",
              "Encoded bytes of snapshots held in order while Kafka is unreachable; past it the"
                  + " oldest waiting state of the largest backlog is dropped (pmas.snapshots.conflated)")
          .withDefault("16777216")
          .validate(n -> n >= 65536, "at least 65536");
  public static final ConfigField<Duration> FATAL_BACKOFF_INITIAL =
      ConfigField.duration(
              "poll.fatal.backoff.initial",
              "After an answer that looks fatal (401, 403, 3xx, -2015, -1022): pause this account"
                  + " for this long, doubling while it lasts")
          .withDefault("1m")
          .validate(d -> d.toMillis() > 0, "positive");
  public static final ConfigField<Duration> FATAL_BACKOFF_MAX =
      ConfigField.duration(
              "poll.fatal.backoff.max", "Longest pause of an account after fatal-looking answers")
          .withDefault("30m")
          .validate(d -> d.toMillis() > 0, "positive");
  public static final ConfigField<Double> STALE_AFTER_INTERVALS =
      ConfigField.doubleValue(
              "poll.stale.after.intervals",
              "An account whose newest state in Kafka is older than this many poll intervals is"
                  + " stale: readiness goes DOWN and pmas_account_stale is 1")
          .withDefault("3")
          .validate(d -> d >= 1, "at least 1");
  public static final ConfigField<Duration> PUBLISH_RETRY_BACKOFF =
      ConfigField.duration(
              "publish.retry.backoff", "Pause before re-sending snapshots after a failed send")
          .withDefault("1s")
          .validate(d -> d.toMillis() > 0, "positive");

  /**
   * Every poller setting, valid; or a {@link ConfigException} listing every problem the reader has
   * found (read it with {@link ConfigReader#component} to go on listing the other components').
   */
  public static PollerConfig from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    Duration interval = reader.get(INTERVAL);
    Double jitter = reader.get(JITTER);
    EmissionPolicy emission = reader.get(EMIT);
    Duration heartbeat = reader.get(HEARTBEAT);
    Integer maxConcurrent = reader.get(MAX_CONCURRENT);
    Duration shutdownTimeout = reader.get(SHUTDOWN_TIMEOUT);
    String instanceId = reader.read(INSTANCE_ID).orElseGet(PollerConfig::defaultInstanceId);
    Long deadLetterBufferBytes = reader.get(DLQ_BUFFER_BYTES);
    Duration publishRetryBackoff = reader.get(PUBLISH_RETRY_BACKOFF);
    Long publishBufferBytes = reader.get(PUBLISH_BUFFER_BYTES);
    Duration fatalInitial = reader.get(FATAL_BACKOFF_INITIAL);
    Duration fatalMax = reader.get(FATAL_BACKOFF_MAX);
    Double staleAfterIntervals = reader.get(STALE_AFTER_INTERVALS);
    reader.requireNotShorter(
        FATAL_BACKOFF_MAX, fatalMax, FATAL_BACKOFF_INITIAL, fatalInitial, false);
    checkpoint.throwIfNewProblems();
    return new PollerConfig(
        interval,
        jitter,
        emission,
        heartbeat,
        maxConcurrent,
        shutdownTimeout,
        instanceId,
        deadLetterBufferBytes,
        publishRetryBackoff,
        publishBufferBytes,
        fatalInitial,
        fatalMax,
        staleAfterIntervals);
  }

  /**
   * This process's instance id: the host name (in Kubernetes the pod name, which a container
   * restart keeps) and the JVM's start time in epoch milliseconds (which a restart changes), so
   * that (pollerInstanceId, sequence) never repeats although each start counts sequences from 1.
   */
  static String defaultInstanceId() {
    var runtime = ManagementFactory.getRuntimeMXBean();
    return instanceId(
        hostName(System.getenv("HOSTNAME"), runtime.getName()),
        Instant.ofEpochMilli(runtime.getStartTime()));
  }

  static String instanceId(String host, Instant start) {
    return host + "@" + start.toEpochMilli();
  }

  /**
   * {@code HOSTNAME} when set (the pod name in Kubernetes, the container id in Docker), else the
   * host part of the JVM's {@code pid@host} name.
   */
  static String hostName(String hostnameVariable, String runtimeName) {
    if (hostnameVariable != null && !hostnameVariable.isBlank()) {
      return hostnameVariable.strip();
    }
    int at = runtimeName.indexOf('@');
    return at >= 0 && at < runtimeName.length() - 1 ? runtimeName.substring(at + 1) : "localhost";
  }

  public static List<ConfigField<?>> fields() {
    return List.of(
        INTERVAL,
        JITTER,
        EMIT,
        HEARTBEAT,
        MAX_CONCURRENT,
        SHUTDOWN_TIMEOUT,
        INSTANCE_ID,
        DLQ_BUFFER_BYTES,
        PUBLISH_RETRY_BACKOFF,
        PUBLISH_BUFFER_BYTES,
        FATAL_BACKOFF_INITIAL,
        FATAL_BACKOFF_MAX,
        STALE_AFTER_INTERVALS);
  }
}
