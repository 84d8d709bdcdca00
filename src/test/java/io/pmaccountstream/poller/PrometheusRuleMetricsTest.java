package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.FailureKind;
import io.pmaccountstream.binance.FetchOutcome;
import io.pmaccountstream.binance.HmacSha256Signer;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.testing.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Every {@code pmas_*} series the PrometheusRule in {@code k8s/monitoring} alerts on is one the
 * poller's components expose, under the name Prometheus sees: an alert on a misspelt metric never
 * fires.
 */
class PrometheusRuleMetricsTest {

  private static final Path RULE = Path.of("k8s", "monitoring", "prometheusrule.yaml");
  private static final Pattern METRIC = Pattern.compile("\\bpmas_[a-z0-9_]+");

  @Test
  void everyMetricTheAlertsUseIsExposedByThePoller() throws Exception {
    JsonNode rule = new ObjectMapper(new YAMLFactory()).readTree(RULE.toFile());
    Set<String> used = new TreeSet<>();
    for (JsonNode group : rule.path("spec").path("groups")) {
      for (JsonNode alert : group.path("rules")) {
        Matcher m = METRIC.matcher(alert.path("expr").asText());
        while (m.find()) {
          used.add(m.group());
        }
      }
    }
    assertThat(used).isNotEmpty();

    String scrape = exercisedPollerMetrics();

    assertThat(used)
        .allSatisfy(
            metric ->
                assertThat(scrape)
                    .as("exposed metric " + metric)
                    .containsPattern("(?m)^" + metric + "[{ ]"));
  }

  /** The poller's components on mock producers, each path that creates a series taken once. */
  private static String exercisedPollerMetrics() {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TestClock clock = new TestClock(Instant.parse("2026-11-24T10:00:00Z"));
    MockProducer<String, String> dlqProducer =
        new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    MockProducer<String, AccountSnapshot> producer =
        new MockProducer<>(
            false,
            null,
            new StringSerializer(),
            (topic, value) -> {
              if (value.getSequence() == 99) {
                throw new SerializationException("refused");
              }
              return new byte[0];
            });
    DeadLetterPublisher deadLetters = new DeadLetterPublisher(dlqProducer, "dlq", 1 << 20, meters);
    long size = SnapshotPublisher.encodedSize(SnapshotPublisherTest.snapshot("alice", 1, "1.5"));
    SnapshotPublisher snapshots =
        new SnapshotPublisher(
            producer,
            "snapshots",
            Duration.ofMillis(10),
            3 * size,
            deadLetters::publish,
            "poller-1",
            meters,
            clock);
    PollScheduler scheduler = new PollScheduler(Duration.ofSeconds(1), 0, 1, meters);
    try {
      AccountSnapshot refused = SnapshotPublisherTest.snapshot("alice", 99, "1.5");
      snapshots.offer(refused);
      await().until(() -> snapshots.unsent() == 0);
      for (int i = 1; i <= 5; i++) {
        snapshots.offer(SnapshotPublisherTest.snapshot("alice", i, "1.5"));
      }
      AccountPoller poller =
          new AccountPoller(
              (account, priority) ->
                  new FetchOutcome.Failure(
                      FailureKind.FATAL_CONFIG,
                      OptionalInt.of(401),
                      Optional.of(-2015),
                      "invalid key",
                      "fix it",
                      Optional.empty(),
                      clock.instant(),
                      true),
              snapshots,
              deadLetters,
              AccountPollerTest.config(EmissionPolicy.CHANGES),
              meters,
              clock);
      poller.watch(List.of("alice"));
      poller.poll(
          new AccountCredentials(
              "alice", Secret.of("key"), new HmacSha256Signer(Secret.of("not-a-real-secret"))));
      return meters.scrape();
    } finally {
      scheduler.close(Duration.ofSeconds(1));
      snapshots.close(Duration.ofMillis(100));
      deadLetters.close(Duration.ofMillis(100));
    }
  }
}
