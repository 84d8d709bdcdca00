package io.pmaccountstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.ops.HealthCheck.Result;
import io.pmaccountstream.testing.TestClock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectionChecksTest {

  @Test
  void checksKafkaThenTheRegistryOfTheConnectionWithoutTouchingEitherUntilAsked() {
    KafkaConnection connection =
        KafkaConnection.from(
            new ConfigReader(
                Settings.ofFlags(
                    Map.of(
                        "bootstrap.servers", "127.0.0.1:9",
                        "schema.registry.url", "http://127.0.0.1:9/apis/ccompat/v7"))));

    try (ConnectionChecks checks =
        ConnectionChecks.create(connection, TestClock.at("2026-01-01T00:00:00Z"))) {
      assertThat(checks.checks())
          .extracting(HealthCheck::name)
          .containsExactly(KafkaReachableCheck.NAME, HttpReachableCheck.SCHEMA_REGISTRY);
    }
    assertThat(ConnectionChecks.registryCheck(connection).uri())
        .hasToString("http://127.0.0.1:9/apis/ccompat/v7/subjects");
  }

  @Test
  void eachCheckGoesOutOncePerCacheWhateverTheProbesAsk() {
    TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    AtomicInteger kafkaCalls = new AtomicInteger();
    AtomicInteger registryCalls = new AtomicInteger();
    ConnectionChecks checks =
        ConnectionChecks.of(
            HealthCheck.named("kafka", () -> Result.up("call " + kafkaCalls.incrementAndGet())),
            HealthCheck.named(
                "schema-registry", () -> Result.up("call " + registryCalls.incrementAndGet())),
            clock);

    for (int probe = 0; probe < 5; probe++) {
      checks.checks().forEach(HealthCheck::check);
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(ConnectionChecks.CACHE).isEqualTo(Duration.ofSeconds(5));
    assertThat(kafkaCalls).hasValue(1);
    assertThat(registryCalls).hasValue(1);
    checks.checks().forEach(HealthCheck::check);
    assertThat(kafkaCalls).as("the cache expired").hasValue(2);
    assertThat(registryCalls).hasValue(2);
  }
}
