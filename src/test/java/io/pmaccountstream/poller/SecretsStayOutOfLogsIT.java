package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.SimulatedAccount;
import io.pmaccountstream.simulator.fault.Fault;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.LogCapture;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full poll run with faults, a clock skew, a failed account and a broker: no API key, secret or
 * signature in any log line, argument, MDC value or exception (captured down to DEBUG).
 */
class SecretsStayOutOfLogsIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  @TempDir Path dir;

  @Test
  void aFullRunNeverLogsCredentials() throws Exception {
    FaultConfig faults =
        FaultConfig.none()
            .withRate(Fault.HTML_PAGE, 0.1)
            .withRate(Fault.TRUNCATED_JSON, 0.1)
            .withRate(Fault.SERVER_ERROR_503, 0.1)
            .withRate(Fault.CONNECTION_RESET, 0.05);
    String wrongSecret = "f".repeat(64);
    List<String> needles = new ArrayList<>();
    try (BinancePmSimulator sim =
            BinancePmSimulator.builder()
                .scenario("calm")
                .accounts(2)
                .seed(11)
                .faults(faults)
                .clockSkew(Duration.ofMillis(2_500))
                .build()
                .start();
        LogCapture logs = LogCapture.start(Level.DEBUG)) {
      for (SimulatedAccount account : sim.accounts()) {
        needles.add(account.apiKey());
        needles.add(account.credentials().hmacSecret().orElseThrow().reveal());
      }
      needles.add(wrongSecret);
      String broken = sim.accounts().get(1).id();
      PollerApp.Settings settings =
          PollerFixture.settings(
              sim,
              dir.resolve("credentials.properties"),
              kafka.bootstrapServers(),
              registry.url(),
              Map.of(
                  "topic.snapshots",
                  KafkaBrokerExtension.uniqueTopic("snapshots"),
                  "topic.dlq",
                  KafkaBrokerExtension.uniqueTopic("dlq"),
                  "account." + broken + ".secret",
                  wrongSecret));
      PollerApp app = PollerFixture.start(settings, new SimpleMeterRegistry());
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    app.poller().pausedAccounts().contains(broken)
                        && logs.contains("bad payload")
                        && app.poller().isHealthy(sim.accounts().get(0).id()));
      } finally {
        app.shutdown(Duration.ofSeconds(10));
      }

      assertThat(logs.events()).hasSizeGreaterThan(10);
      logs.assertNeverContains(needles.toArray(String[]::new));
      assertThat(logs.messages()).noneMatch(m -> m.contains("signature="));
    }
  }
}
