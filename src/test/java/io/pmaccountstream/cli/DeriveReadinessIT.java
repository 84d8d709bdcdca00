package io.pmaccountstream.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.ops.ConnectionChecks;
import io.pmaccountstream.ops.HealthCheck;
import io.pmaccountstream.ops.HealthCheck.Status;
import io.pmaccountstream.ops.HealthChecks;
import io.pmaccountstream.ops.HealthChecks.Outcome;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.streams.DeriveApp;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * derive's health wired as {@code derive} wires it, on the real broker, with the real registry
 * behind a proxy the test stops: ready while all answer, not ready once the registry is gone though
 * Streams stays RUNNING; live throughout, with every stream thread's last poll seen.
 */
class DeriveReadinessIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  @TempDir Path stateDir;

  @Test
  void readyWhileKafkaTheRegistryAndStreamsAreAndNotOnceTheRegistryStops() {
    WireMockServer proxy = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    proxy.start();
    proxy.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom(registry.url())));
    DeriveApp.Settings settings = settings("http://127.0.0.1:" + proxy.port());
    kafka.createTopic(settings.topology().topics().snapshots(), 1);
    try (HttpSchemaRegistryClient client = HttpSchemaRegistryClient.from(settings.connection());
        ConnectionChecks connection =
            ConnectionChecks.create(settings.connection(), Clock.systemUTC())) {
      DeriveApp app = DeriveApp.create(settings, client, new SimpleMeterRegistry());
      try {
        HealthChecks readiness = DeriveCommand.healthChecks(app.readiness(), connection);
        assertThat(app.start()).isTrue();

        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(() -> assertThat(readiness.evaluate().status()).isEqualTo(Status.UP));
        HealthCheck.Result live = app.liveness().check();
        assertThat(live.isUp()).as(live.reason()).isTrue();
        assertThat(live.details())
            .as("the wedge check finds the main consumer's last poll of every stream thread")
            .isNotEmpty()
            .allSatisfy(
                (thread, shown) ->
                    assertThat(shown)
                        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                        .containsKey("lastPollSecondsAgo"));

        proxy.stop();

        HealthChecks.Report away =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(readiness::evaluate, r -> r.status() == Status.DOWN);
        assertThat(away.checks())
            .filteredOn(o -> !o.result().isUp())
            .extracting(Outcome::name)
            .containsExactly("schema-registry");
        assertThat(app.liveness().check().isUp()).isTrue();
      } finally {
        app.close(Duration.ofSeconds(30));
      }
    } finally {
      proxy.stop();
    }
  }

  private DeriveApp.Settings settings(String registryUrl) {
    Topics topics =
        Topics.defaults().withPrefix("it-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", kafka.bootstrapServers());
    flags.put("schema.registry.url", registryUrl);
    flags.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    flags.put(Topics.STATUS_TRANSITIONS.name(), topics.statusTransitions());
    flags.put(Topics.LOW_UNIMMR.name(), topics.lowUniMmr());
    flags.put(Topics.LATEST.name(), topics.latest());
    flags.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    flags.put(Topics.DERIVE_DEAD_LETTER.name(), topics.deriveDeadLetter());
    flags.put(
        "derive.application.id", "it-readiness-" + UUID.randomUUID().toString().substring(0, 8));
    flags.put("derive.state.dir", stateDir.toString());
    flags.put("derive.session.timeout", "6s");
    flags.put("kafka.heartbeat.interval.ms", "1000");
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));
    DeriveApp.Settings settings = DeriveApp.Settings.from(reader);
    reader.throwIfProblems();
    return settings;
  }
}
