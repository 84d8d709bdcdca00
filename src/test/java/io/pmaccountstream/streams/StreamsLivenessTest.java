package io.pmaccountstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.ops.HealthCheck.Result;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;

class StreamsLivenessTest {

  private static final Duration MAX_POLL_INTERVAL = Duration.ofMinutes(5);

  private final StreamsLiveness twoThreads = new StreamsLiveness(2, MAX_POLL_INTERVAL);
  private final List<ThreadMetadata> threads =
      List.of(thread("StreamThread-1", "RUNNING"), thread("StreamThread-2", "RUNNING"));

  /** The consumers' last polls, as the fake metric source every check reads. */
  private final Map<String, AtomicLong> lastPollSecondsAgo = new LinkedHashMap<>();

  private Result check(State state, boolean closeRequested, List<ThreadMetadata> threads) {
    return twoThreads.check(state, closeRequested, () -> threads, this::metrics);
  }

  @Test
  void upWhileRunningWithEveryThreadPollingShowingEachThreadsLastPoll() {
    polled("StreamThread-1", 0);
    polled("StreamThread-2", 2);

    Result result = check(State.RUNNING, false, threads);

    assertThat(result.isUp()).as(result.reason()).isTrue();
    assertThat(result.reason()).isEqualTo("RUNNING, 2 stream thread(s) alive");
    assertThat(result.details())
        .containsEntry("StreamThread-1", Map.of("state", "RUNNING", "lastPollSecondsAgo", 0L))
        .containsEntry("StreamThread-2", Map.of("state", "RUNNING", "lastPollSecondsAgo", 2L));
  }

  @Test
  void downInErrorOnItsWayThereOrStoppedWithoutAClose() {
    assertThat(check(State.ERROR, false, threads).reason())
        .isEqualTo("Kafka Streams is in ERROR (see the log)");
    assertThat(check(State.PENDING_ERROR, false, threads).isUp()).isFalse();
    assertThat(check(State.ERROR, true, threads).isUp())
        .as("ERROR even while closing: the exit code says it failed")
        .isFalse();
    assertThat(check(State.NOT_RUNNING, false, threads).reason())
        .isEqualTo("Kafka Streams stopped (NOT_RUNNING) without a close");
    assertThat(check(State.PENDING_SHUTDOWN, false, threads).isUp()).isFalse();
  }

  @Test
  void upWhenStoppedOnRequestOrNotStarted() {
    assertThat(check(State.NOT_RUNNING, true, threads).isUp()).isTrue();
    assertThat(check(State.PENDING_SHUTDOWN, true, threads).isUp()).isTrue();
    assertThat(check(State.CREATED, false, threads).isUp()).isTrue();
  }

  @Test
  void downWhenAStreamThreadDiedAndWasNotReplaced() {
    polled("StreamThread-1", 0);

    Result dead =
        check(
            State.RUNNING,
            false,
            List.of(thread("StreamThread-1", "RUNNING"), thread("StreamThread-2", "DEAD")));
    Result dying =
        check(
            State.REBALANCING,
            false,
            List.of(
                thread("StreamThread-1", "RUNNING"), thread("StreamThread-2", "PENDING_SHUTDOWN")));
    Result missing = check(State.RUNNING, false, List.of(thread("StreamThread-1", "RUNNING")));

    assertThat(dead.reason()).isEqualTo("1 of 2 stream threads alive");
    assertThat(dying.isUp()).isFalse();
    assertThat(missing.isUp()).isFalse();
  }

  @Test
  void downWhenALiveThreadHasNotPolledWithinMaxPollInterval() {
    polled("StreamThread-1", 0);
    polled("StreamThread-2", 0);
    assertThat(check(State.RUNNING, false, threads).isUp()).isTrue();

    // StreamThread-2 blocks in a processor: its consumer's last poll ages, the other's does not
    lastPollSecondsAgo.get("StreamThread-2-consumer").set(MAX_POLL_INTERVAL.toSeconds());
    assertThat(check(State.RUNNING, false, threads).isUp())
        .as("exactly max.poll.interval.ms is not over it yet")
        .isTrue();
    lastPollSecondsAgo.get("StreamThread-2-consumer").set(MAX_POLL_INTERVAL.toSeconds() + 1);
    Result wedged = check(State.RUNNING, false, threads);

    assertThat(wedged.isUp()).isFalse();
    assertThat(wedged.reason())
        .isEqualTo(
            "stream thread wedged, no poll within max.poll.interval.ms 300000:"
                + " StreamThread-2 last polled 301 s ago");
    assertThat(check(State.REBALANCING, false, threads).isUp())
        .as("wedged while rebalancing too")
        .isFalse();
  }

  @Test
  void aThreadThatHasNotPolledYetIsNotJudged() {
    polled("StreamThread-1", -1);

    Result result = check(State.REBALANCING, false, threads);

    assertThat(result.isUp()).as(result.reason()).isTrue();
    assertThat(result.details()).containsEntry("StreamThread-1", Map.of("state", "RUNNING"));
  }

  @Test
  void onlyTheMainConsumersPollCounts() {
    polled("StreamThread-1", 0);
    polled("StreamThread-2", 0);
    // the restore consumer is polled only while restoring; its last poll grows old in RUNNING
    lastPollSecondsAgo.put("StreamThread-1-restore-consumer", new AtomicLong(3_600));

    assertThat(check(State.RUNNING, false, threads).isUp()).isTrue();
  }

  @Test
  void readsTheLastPollOfEachConsumerByClientIdFromConsumerMetricsOnly() {
    Map<MetricName, Metric> metrics = new LinkedHashMap<>();
    put(metrics, "last-poll-seconds-ago", "consumer-metrics", "c-1", 7.0);
    put(metrics, "last-poll-seconds-ago", "other-metrics", "c-2", 9.0);
    put(metrics, "time-between-poll-max", "consumer-metrics", "c-3", 11.0);

    assertThat(StreamsLiveness.lastPollSecondsByClientId(metrics)).isEqualTo(Map.of("c-1", 7L));
  }

  private void polled(String thread, long secondsAgo) {
    lastPollSecondsAgo.put(thread + "-consumer", new AtomicLong(secondsAgo));
  }

  private Map<MetricName, Metric> metrics() {
    Map<MetricName, Metric> metrics = new LinkedHashMap<>();
    lastPollSecondsAgo.forEach(
        (clientId, seconds) ->
            put(metrics, "last-poll-seconds-ago", "consumer-metrics", clientId, seconds.get()));
    return metrics;
  }

  private static void put(
      Map<MetricName, Metric> metrics, String name, String group, String clientId, double value) {
    MetricName metricName = new MetricName(name, group, "", Map.of("client-id", clientId));
    metrics.put(metricName, new FixedMetric(metricName, value));
  }

  private static ThreadMetadata thread(String name, String state) {
    return new FakeThread(name, state);
  }

  private record FixedMetric(MetricName metricName, Object metricValue) implements Metric {}

  /** A stream thread as Kafka Streams names it and its consumers. */
  private record FakeThread(String threadName, String threadState) implements ThreadMetadata {
    @Override
    public Set<TaskMetadata> activeTasks() {
      return Set.of();
    }

    @Override
    public Set<TaskMetadata> standbyTasks() {
      return Set.of();
    }

    @Override
    public String consumerClientId() {
      return threadName + "-consumer";
    }

    @Override
    public String restoreConsumerClientId() {
      return threadName + "-restore-consumer";
    }

    @Override
    public Set<String> producerClientIds() {
      return Set.of(threadName + "-producer");
    }

    @Override
    public String adminClientId() {
      return "admin";
    }
  }
}
