package io.pmaccountstream.streams;

import io.pmaccountstream.ops.HealthCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * Whether a Kafka Streams client still works, from what Streams exposes: its state, its stream
 * threads' metadata and its main consumers' {@code last-poll-seconds-ago} metric. DOWN when
 *
 * <ul>
 *   <li>Streams is in {@code ERROR} (or on its way there);
 *   <li>it stopped without a close having been requested;
 *   <li>fewer stream threads are alive than configured (a thread died and was not replaced);
 *   <li>a live stream thread is wedged: its main consumer was last polled longer ago than the
 *       consumer's {@code max.poll.interval.ms}. A stream thread polls on every turn of its loop,
 *       with tasks or without, while it restores, processes or waits out a broker outage (a poll
 *       returns after {@code poll.ms}), so the poll's age is the age of the loop's last turn. Past
 *       {@code max.poll.interval.ms} the group has already taken the thread's partitions away, and
 *       nothing in Streams brings a thread blocked in a processor or a store back.
 * </ul>
 *
 * The metric counts whole seconds and is -1 before a consumer's first poll: a thread that has not
 * polled yet is not judged.
 */
final class StreamsLiveness {

  /** The classic and the async consumer's age of the last {@code poll()}, in seconds. */
  static final String LAST_POLL = "last-poll-seconds-ago";

  static final String CONSUMER_METRICS = "consumer-metrics";

  /** {@code ThreadMetadata.threadState()} of a stream thread that no longer processes. */
  private static final Set<String> DEAD_THREAD_STATES = Set.of("DEAD", "PENDING_SHUTDOWN");

  private final int threads;
  private final Duration maxPollInterval;

  /**
   * @param threads the stream threads the client should run ({@code derive.threads})
   * @param maxPollInterval the main consumer's {@code max.poll.interval.ms}
   */
  StreamsLiveness(int threads, Duration maxPollInterval) {
    if (maxPollInterval.isNegative() || maxPollInterval.isZero()) {
      throw new IllegalArgumentException("maxPollInterval must be positive: " + maxPollInterval);
    }
    this.threads = threads;
    this.maxPollInterval = maxPollInterval;
  }

  /**
   * @param threadMetadata asked only while Streams is running or rebalancing
   * @param metrics the client's metrics ({@link KafkaStreams#metrics()}, which include its
   *     consumers'), asked only then too
   */
  HealthCheck.Result check(
      KafkaStreams.State state,
      boolean closeRequested,
      Supplier<? extends Collection<? extends ThreadMetadata>> threadMetadata,
      Supplier<? extends Map<MetricName, ? extends Metric>> metrics) {
    if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
      return HealthCheck.Result.down("Kafka Streams is in " + state + " (see the log)");
    }
    if (!state.isRunningOrRebalancing()) {
      return closeRequested || state == KafkaStreams.State.CREATED
          ? HealthCheck.Result.up(state.toString())
          : HealthCheck.Result.down("Kafka Streams stopped (" + state + ") without a close");
    }
    List<? extends ThreadMetadata> live =
        threadMetadata.get().stream()
            .filter(t -> !DEAD_THREAD_STATES.contains(t.threadState()))
            .toList();
    Map<String, Long> lastPolls = lastPollSecondsByClientId(metrics.get());
    Map<String, Object> details = new LinkedHashMap<>();
    List<String> wedged = new ArrayList<>();
    for (ThreadMetadata thread : live) {
      Long secondsAgo = lastPolls.get(thread.consumerClientId());
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("state", thread.threadState());
      if (secondsAgo != null && secondsAgo >= 0) {
        shown.put("lastPollSecondsAgo", secondsAgo);
        if (Duration.ofSeconds(secondsAgo).compareTo(maxPollInterval) > 0) {
          wedged.add(thread.threadName() + " last polled " + secondsAgo + " s ago");
        }
      }
      details.put(thread.threadName(), shown);
    }
    if (live.size() < threads) {
      return HealthCheck.Result.down(live.size() + " of " + threads + " stream threads alive")
          .withDetails(details);
    }
    if (!wedged.isEmpty()) {
      return HealthCheck.Result.down(
              "stream thread wedged, no poll within max.poll.interval.ms "
                  + maxPollInterval.toMillis()
                  + ": "
                  + String.join(", ", wedged))
          .withDetails(details);
    }
    return HealthCheck.Result.up(state + ", " + live.size() + " stream thread(s) alive")
        .withDetails(details);
  }

  /** Each consumer's {@value #LAST_POLL}, by its client id. */
  static Map<String, Long> lastPollSecondsByClientId(Map<MetricName, ? extends Metric> metrics) {
    Map<String, Long> seconds = new HashMap<>();
    metrics.forEach(
        (name, metric) -> {
          String clientId = name.tags().get("client-id");
          if (name.name().equals(LAST_POLL)
              && name.group().equals(CONSUMER_METRICS)
              && clientId != null
              && metric.metricValue() instanceof Number value) {
            seconds.put(clientId, value.longValue());
          }
        });
    return seconds;
  }
}
