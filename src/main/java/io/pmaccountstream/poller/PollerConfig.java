package io.pmaccountstream.poller;

import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import java.lang.management.ManagementFactory;
import java.time.Duration;
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
    int deadLetterCapacity,
    Duration publishRetryBackoff) {

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
          "Written into every snapshot; unset: the process id and host name (pid@host)");
  public static final ConfigField<Integer> DLQ_CAPACITY =
      ConfigField.integer(
              "dlq.queue.capacity",
              "Dead letters held while the broker is unreachable before dropping")
          .withDefault("10000")
          .validate(n -> n >= 1, "at least 1");
  public static final ConfigField<Duration> PUBLISH_RETRY_BACKOFF =
      ConfigField.duration(
              "publish.retry.backoff", "Pause before re-sending snapshots after a failed send")
          .withDefault("1s")
          .validate(d -> d.toMillis() > 0, "positive");

  public static PollerConfig from(ConfigReader reader) {
    return new PollerConfig(
        reader.get(INTERVAL),
        reader.read(JITTER).orElse(0.0),
        reader.get(EMIT),
        reader.get(HEARTBEAT),
        reader.read(MAX_CONCURRENT).orElse(1),
        reader.get(SHUTDOWN_TIMEOUT),
        reader.read(INSTANCE_ID).orElseGet(() -> ManagementFactory.getRuntimeMXBean().getName()),
        reader.read(DLQ_CAPACITY).orElse(1),
        reader.get(PUBLISH_RETRY_BACKOFF));
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
        DLQ_CAPACITY,
        PUBLISH_RETRY_BACKOFF);
  }
}
