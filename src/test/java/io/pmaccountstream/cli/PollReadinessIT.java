package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.ops.ConnectionChecks;
import io.pmaccountstream.ops.HealthChecks;
import io.pmaccountstream.ops.Metrics;
import io.pmaccountstream.ops.OpsConfig;
import io.pmaccountstream.ops.OpsServer;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poller's readiness end to end, wired as {@code poll} wires it, on the real broker, the real
 * registry and the simulator: /health/ready reflects Kafka, the registry and each account's
 * freshness; /health/live stays 200 throughout.
 */
class PollReadinessIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void anAccountThatNeverPublishesMakesItNotReadyByNameWhileKafkaAndTheRegistryAreUp()
      throws Exception {
    try (BinancePmSimulator simulator = simulator()) {
      Path credentials = credentials(simulator, Optional.of(simulator.accounts().get(1).id()));
      String spoiled = simulator.accounts().get(1).id();
      try (RunningPoller poller = start(settings(simulator, credentials, registry.url()))) {
        JsonNode ready =
            await()
                .atMost(Duration.ofSeconds(60))
                .until(
                    () -> poller.get(OpsServer.READY_PATH),
                    r ->
                        check(r, "accounts-fresh").path("status").asText().equals("DOWN")
                            && check(r, "kafka").path("status").asText().equals("UP"));

        assertThat(poller.status(OpsServer.READY_PATH)).isEqualTo(503);
        assertThat(ready.path("status").asText()).isEqualTo("DOWN");
        assertThat(check(ready, "accounts-fresh").path("reason").asText())
            .contains(spoiled)
            .doesNotContain(simulator.accounts().get(0).id() + " (");
        assertThat(check(ready, "kafka").path("status").asText()).isEqualTo("UP");
        assertThat(registryCheck(ready).path("status").asText()).isEqualTo("UP");
        assertThat(poller.status(OpsServer.LIVE_PATH)).isEqualTo(200);
      }
    }
  }

  @Test
  void readyWhenEveryAccountIsFreshAndNotReadyWhenTheRegistryIsAway() throws Exception {
    try (BinancePmSimulator simulator = simulator()) {
      Path credentials = credentials(simulator, Optional.empty());
      try (RunningPoller poller = start(settings(simulator, credentials, registry.url()))) {
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(() -> assertThat(poller.status(OpsServer.READY_PATH)).isEqualTo(200));
      }
      String nothingListens = "http://127.0.0.1:" + freePort();
      try (RunningPoller poller = start(settings(simulator, credentials, nothingListens))) {
        JsonNode ready =
            await()
                .atMost(Duration.ofSeconds(60))
                .until(
                    () -> poller.get(OpsServer.READY_PATH),
                    r -> registryCheck(r).path("status").asText().equals("DOWN"));
        assertThat(ready.path("status").asText()).isEqualTo("DOWN");
        assertThat(check(ready, "kafka").path("status").asText()).isEqualTo("UP");
        assertThat(poller.status(OpsServer.LIVE_PATH)).isEqualTo(200);
      }
    }
  }

  private static BinancePmSimulator simulator() throws IOException {
    return BinancePmSimulator.builder()
        .scenario("margin-call")
        .accounts(2)
        .seed(7)
        .speed(1)
        .build()
        .start();
  }

  /** The simulator's credentials; {@code spoil}'s secret replaced, so Binance refuses it. */
  private Path credentials(BinancePmSimulator simulator, Optional<String> spoil)
      throws IOException {
    Path file = dir.resolve("credentials-" + UUID.randomUUID() + ".properties");
    simulator.writeCredentials(file);
    if (spoil.isPresent()) {
      Properties properties = new Properties();
      try (Reader in = Files.newBufferedReader(file)) {
        properties.load(in);
      }
      String key = "account." + spoil.get() + ".secret";
      assertThat(properties).containsKey(key);
      properties.setProperty(key, "not-the-secret-" + UUID.randomUUID());
      try (Writer out = Files.newBufferedWriter(file)) {
        properties.store(out, null);
      }
    }
    return file;
  }

  private static Settings settings(
      BinancePmSimulator simulator, Path credentials, String registryUrl) {
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", kafka.bootstrapServers());
    flags.put("schema.registry.url", registryUrl);
    flags.put("binance.base.url", simulator.baseUrl());
    flags.put("binance.time.url", simulator.baseUrl() + "/fapi/v1/time");
    flags.put("poll.interval", "1s");
    String suffix = UUID.randomUUID().toString();
    flags.put("topic.snapshots", "readiness-snapshots-" + suffix);
    flags.put("topic.dlq", "readiness-dlq-" + suffix);
    return Settings.load(Optional.of(credentials), Map.of(), flags);
  }

  private static RunningPoller start(Settings settings) throws IOException {
    PollerApp.Settings pollerSettings = ConfigOptions.read(settings, PollerApp.Settings::from);
    Metrics metrics = Metrics.prometheus("pm-account-stream-poll", "readiness-it");
    PollerApp app = PollerApp.create(pollerSettings, metrics.registry());
    ConnectionChecks connection =
        ConnectionChecks.create(pollerSettings.kafka(), java.time.Clock.systemUTC());
    HealthChecks health = PollCommand.healthChecks(app, connection);
    OpsServer ops =
        OpsServer.start(
            OpsConfig.loopback(0),
            metrics.registry(),
            health,
            new HealthChecks().register(app.livenessChecks()));
    app.start();
    return new RunningPoller(app, connection, ops, metrics);
  }

  private record RunningPoller(
      PollerApp app, ConnectionChecks connection, OpsServer ops, Metrics metrics)
      implements AutoCloseable {

    HttpResponse<String> request(String path) throws IOException, InterruptedException {
      URI uri = URI.create("http://127.0.0.1:" + ops.address().orElseThrow().getPort() + path);
      return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode get(String path) throws IOException, InterruptedException {
      return JSON.readTree(request(path).body());
    }

    int status(String path) throws IOException, InterruptedException {
      return request(path).statusCode();
    }

    @Override
    public void close() {
      try {
        app.shutdown(Duration.ofSeconds(5));
      } finally {
        ops.close();
        connection.close();
        metrics.close();
      }
    }
  }

  private static JsonNode check(JsonNode ready, String name) {
    for (JsonNode check : ready.path("checks")) {
      if (check.path("name").asText().equals(name)) {
        return check;
      }
    }
    throw new AssertionError("no check " + name + " in " + ready);
  }

  private static JsonNode registryCheck(JsonNode ready) {
    List<String> names = new java.util.ArrayList<>();
    for (JsonNode check : ready.path("checks")) {
      String name = check.path("name").asText();
      names.add(name);
      if (name.contains("registry")) {
        return check;
      }
    }
    throw new AssertionError("no registry check among " + names);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
