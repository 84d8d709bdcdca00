package io.pmaccountstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pmaccountstream.ops.HealthCheck.Result;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoint over real HTTP on a free loopback port. */
class OpsServerIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicReference<Result> accounts =
      new AtomicReference<>(Result.up("1 account(s) healthy"));
  private Metrics metrics;
  private HealthChecks health;
  private OpsServer server;
  private URI base;

  @BeforeEach
  void start() throws IOException {
    metrics = Metrics.prometheus("pm-account-stream", "test-1");
    health = new HealthChecks().register(HealthCheck.named("accounts", accounts::get));
    server = OpsServer.start(OpsConfig.loopback(0), metrics.registry(), health);
    InetSocketAddress address = server.address().orElseThrow();
    base = URI.create("http://127.0.0.1:" + address.getPort());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }

  @Test
  void bindsLoopbackOnAFreePort() {
    InetSocketAddress address = server.address().orElseThrow();

    assertThat(address.getAddress().isLoopbackAddress()).isTrue();
    assertThat(address.getPort()).isPositive();
  }

  @Test
  void metricsServeARegisteredCounterAndJvmMetricsInPrometheusText() throws Exception {
    metrics.registry().counter("pmas.polls", "outcome", "ok").increment(3);

    HttpResponse<String> response = get(OpsServer.METRICS_PATH);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body())
        .contains(
            "pmas_polls_total{app=\"pm-account-stream\",instance=\"test-1\",outcome=\"ok\"} 3")
        .containsPattern("(?m)^jvm_memory_used_bytes\\{.*app=\"pm-account-stream\".*\\} ")
        .contains("jvm_gc_", "jvm_threads_live_threads", "process_uptime_seconds");
  }

  @Test
  void metricsAnswerOpenMetricsWhenTheScraperAsks() throws Exception {
    metrics.registry().counter("pmas.polls", "outcome", "ok").increment();

    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(base.resolve(OpsServer.METRICS_PATH))
                .header("Accept", "application/openmetrics-text; version=1.0.0")
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/openmetrics-text");
    assertThat(response.body()).contains("pmas_polls_total{").endsWith("# EOF\n");
  }

  @Test
  void readyAnswers200WithEveryCheckWhileAllAreUp() throws Exception {
    HttpResponse<String> response = get(OpsServer.READY_PATH);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("UP");
    assertThat(body.path("checks").get(0).path("name").asText()).isEqualTo("accounts");
    assertThat(body.path("checks").get(0).path("status").asText()).isEqualTo("UP");
    assertThat(body.path("checks").get(0).path("reason").asText())
        .isEqualTo("1 account(s) healthy");
  }

  @Test
  void readyFlipsTo503WithTheReasonWhileLiveStays200() throws Exception {
    health.register(HealthCheck.named("kafka", () -> Result.up("cluster x, 1 broker(s)")));
    accounts.set(Result.down("no account polled successfully in the last 5m"));

    HttpResponse<String> ready = get(OpsServer.READY_PATH);
    HttpResponse<String> live = get(OpsServer.LIVE_PATH);

    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(ready.body()))
        .isEqualTo(
            JSON.readTree(
                """
                {"status":"DOWN","checks":[
                  {"name":"accounts","status":"DOWN",
                   "reason":"no account polled successfully in the last 5m"},
                  {"name":"kafka","status":"UP","reason":"cluster x, 1 broker(s)"}]}
                """));
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(live.body()).path("status").asText()).isEqualTo("UP");

    accounts.set(Result.up("2 account(s) healthy"));
    assertThat(get(OpsServer.READY_PATH).statusCode()).isEqualTo(200);
  }

  @Test
  void liveFollowsTheLivenessChecksSoADeadLoopRestartsThePod() throws Exception {
    AtomicReference<Result> loops = new AtomicReference<>(Result.up("all loops turn"));
    HealthChecks liveness =
        new HealthChecks().register(HealthCheck.named("poller-loops", loops::get));
    try (OpsServer withLiveness =
        OpsServer.start(OpsConfig.loopback(0), metrics.registry(), health, liveness)) {
      URI live =
          URI.create(
              "http://127.0.0.1:"
                  + withLiveness.address().orElseThrow().getPort()
                  + OpsServer.LIVE_PATH);
      assertThat(send(live).statusCode()).isEqualTo(200);

      loops.set(Result.down("snapshot-sender: its thread snapshot-sender has ended"));
      HttpResponse<String> dead = send(live);

      assertThat(dead.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(dead.body()).path("checks").get(0).path("reason").asText())
          .isEqualTo("snapshot-sender: its thread snapshot-sender has ended");
    }
  }

  @Test
  void healthShowsLivenessReadinessAndEachChecksDetails() throws Exception {
    accounts.set(
        Result.down("1 account(s) stale")
            .withDetails(Map.of("alice", Map.of("state", "PAUSED_FATAL", "ageSeconds", 61.5))));

    HttpResponse<String> response = get(OpsServer.HEALTH_PATH);

    assertThat(response.statusCode()).as("for people: always 200").isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("DOWN");
    assertThat(body.path("live").path("status").asText()).isEqualTo("UP");
    JsonNode alice = body.path("ready").path("checks").get(0).path("details").path("alice");
    assertThat(alice.path("state").asText()).isEqualTo("PAUSED_FATAL");
    assertThat(alice.path("ageSeconds").asDouble()).isEqualTo(61.5);
    assertThat(get(OpsServer.READY_PATH).body()).contains("PAUSED_FATAL");
  }

  @Test
  void aThrowingCheckMakesReady503NotAServerError() throws Exception {
    health.register(
        HealthCheck.named(
            "streams",
            () -> {
              throw new IllegalStateException("Streams not started");
            }));

    HttpResponse<String> ready = get(OpsServer.READY_PATH);

    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("IllegalStateException: Streams not started");
  }

  @Test
  void unknownPathsAre404AndOtherMethods405() throws Exception {
    HttpResponse<String> unknown = get("/metricsx");
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(base.resolve(OpsServer.READY_PATH))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void aDisabledEndpointBindsNothing() throws IOException {
    try (OpsServer disabled =
        OpsServer.start(OpsConfig.disabled(), metrics.registry(), new HealthChecks())) {
      assertThat(disabled.address()).isEmpty();
    }
  }

  @Test
  void closingFreesThePort() throws Exception {
    int port = server.address().orElseThrow().getPort();
    server.close();

    try (OpsServer again =
        OpsServer.start(OpsConfig.loopback(port), metrics.registry(), new HealthChecks())) {
      server = again;
      assertThat(again.address().orElseThrow().getPort()).isEqualTo(port);
    } finally {
      server = null;
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(base.resolve(path));
  }

  private HttpResponse<String> send(URI uri) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
