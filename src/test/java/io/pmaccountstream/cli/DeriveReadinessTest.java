package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.ops.ConnectionChecks;
import io.pmaccountstream.ops.HealthCheck;
import io.pmaccountstream.ops.HealthCheck.Result;
import io.pmaccountstream.ops.HealthCheck.Status;
import io.pmaccountstream.ops.HealthChecks;
import io.pmaccountstream.ops.HealthChecks.Outcome;
import io.pmaccountstream.streams.DeriveApp;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import io.pmaccountstream.testing.TestClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** derive's /health/ready, wired as {@code derive} wires it, over checks the test sets. */
class DeriveReadinessTest {

  private static final HealthCheck RUNNING =
      HealthCheck.named("kafka-streams", () -> Result.up("RUNNING"));
  private static final HealthCheck UP_KAFKA =
      HealthCheck.named("kafka", () -> Result.up("cluster c, 1 broker(s)"));
  private static final HealthCheck UP_REGISTRY =
      HealthCheck.named("schema-registry", () -> Result.up("GET /subjects answered 200"));

  private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

  private HealthChecks.Report readiness(
      HealthCheck streams, HealthCheck kafka, HealthCheck registry) {
    return DeriveCommand.healthChecks(streams, ConnectionChecks.of(kafka, registry, clock))
        .evaluate();
  }

  @Test
  void readyWhenKafkaAndTheRegistryAnswerAndStreamsIsRunning() {
    HealthChecks.Report report = readiness(RUNNING, UP_KAFKA, UP_REGISTRY);

    assertThat(report.status()).isEqualTo(Status.UP);
    assertThat(report.checks())
        .extracting(Outcome::name)
        .containsExactly("kafka", "schema-registry", "kafka-streams");
  }

  @Test
  void notReadyWhileStreamsRunsButTheBrokerDoesNotAnswer() {
    HealthCheck down =
        HealthCheck.named("kafka", () -> Result.down("no answer to describeCluster within PT3S"));

    HealthChecks.Report report = readiness(RUNNING, down, UP_REGISTRY);

    assertThat(report.status()).isEqualTo(Status.DOWN);
    assertThat(report.checks())
        .contains(new Outcome("kafka", Result.down("no answer to describeCluster within PT3S")));
  }

  @Test
  void notReadyWhileStreamsRunsButTheRegistryDoesNotAnswer() {
    HealthCheck down =
        HealthCheck.named(
            "schema-registry", () -> Result.down("GET http://r/subjects answered HTTP 401"));

    assertThat(readiness(RUNNING, UP_KAFKA, down).status()).isEqualTo(Status.DOWN);
  }

  @Test
  void notReadyUntilStreamsRunsWhateverTheConnectionSays() {
    Map<String, String> flags =
        Map.of("bootstrap.servers", "127.0.0.1:9", "schema.registry.url", "http://127.0.0.1:9");
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));
    DeriveApp.Settings settings = DeriveApp.Settings.from(reader);
    try (InMemorySchemaRegistry registry = new InMemorySchemaRegistry()) {
      DeriveApp app = DeriveApp.create(settings, registry, new SimpleMeterRegistry());
      try {
        HealthChecks.Report report = readiness(app.readiness(), UP_KAFKA, UP_REGISTRY);

        assertThat(report.status()).isEqualTo(Status.DOWN);
        assertThat(report.checks())
            .contains(new Outcome("kafka-streams", Result.down("not started")));
      } finally {
        app.close(Duration.ofSeconds(5));
      }
    }
  }
}
