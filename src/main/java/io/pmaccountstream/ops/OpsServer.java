package io.pmaccountstream.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pmaccountstream.ops.HealthChecks.Outcome;
import io.pmaccountstream.ops.HealthChecks.Report;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoint of a long-running command ({@code poll}, {@code derive}):
 *
 * <ul>
 *   <li>{@value #METRICS_PATH}: the Prometheus text format of the registry (OpenMetrics when the
 *       scraper asks for it);
 *   <li>{@value #LIVE_PATH}: 200 when every liveness check is UP (with none, while the process is
 *       up), else 503: a DOWN here means an internal loop died or is wedged and only a restart
 *       helps, so Kubernetes restarts the pod;
 *   <li>{@value #READY_PATH}: 200 when every readiness check is UP, else 503; both with {@code
 *       {"status":"UP"|"DOWN","checks":[{"name":..,"status":..,"reason":..,"details":{..}}]}};
 *   <li>{@value #HEALTH_PATH}: always 200 (it is for people and dashboards), {@code
 *       {"status":..,"live":{..},"ready":{..}}} with every check's details (per account, for the
 *       poller).
 * </ul>
 *
 * Served by the JDK's HTTP server on two daemon threads with a bounded queue (under overload the
 * accepting thread answers itself, so requests slow down instead of piling up). Only GET and HEAD
 * are answered.
 */
public final class OpsServer implements AutoCloseable {

  public static final String METRICS_PATH = "/metrics";
  public static final String LIVE_PATH = "/health/live";
  public static final String READY_PATH = "/health/ready";
  public static final String HEALTH_PATH = "/health";

  private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JSON_TYPE = "application/json";
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPENMETRICS_TEXT =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";
  private static final int THREADS = 2;
  private static final int QUEUE = 32;

  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final PrometheusMeterRegistry registry;
  private final HealthChecks health;
  private final HealthChecks liveness;

  private OpsServer(
      HttpServer server,
      ThreadPoolExecutor executor,
      PrometheusMeterRegistry registry,
      HealthChecks health,
      HealthChecks liveness) {
    this.server = server;
    this.executor = executor;
    this.registry = registry;
    this.health = health;
    this.liveness = liveness;
  }

  /**
   * Starts the endpoint, or returns a server that serves nothing when the config disables it.
   *
   * @throws IOException when the address cannot be bound (port in use, unknown host)
   */
  public static OpsServer start(
      OpsConfig config, PrometheusMeterRegistry registry, HealthChecks health) throws IOException {
    return start(config, registry, health, new HealthChecks());
  }

  /**
   * Starts the endpoint with liveness checks: {@value #LIVE_PATH} is DOWN when one of them is.
   *
   * @throws IOException when the address cannot be bound (port in use, unknown host)
   */
  public static OpsServer start(
      OpsConfig config,
      PrometheusMeterRegistry registry,
      HealthChecks health,
      HealthChecks liveness)
      throws IOException {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(liveness, "liveness");
    if (!config.enabled()) {
      return new OpsServer(null, null, registry, health, liveness);
    }
    InetSocketAddress address =
        new InetSocketAddress(InetAddress.getByName(config.bindAddress()), config.port());
    HttpServer server = HttpServer.create(address, 0);
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            daemonThreads(),
            new ThreadPoolExecutor.CallerRunsPolicy());
    OpsServer ops = new OpsServer(server, executor, registry, health, liveness);
    server.createContext("/", ops::handle);
    server.setExecutor(executor);
    server.start();
    log.info(
        "Serving {}, {} and {} on {}", METRICS_PATH, LIVE_PATH, READY_PATH, server.getAddress());
    return ops;
  }

  /** The bound address (with the actual port when 0 was asked), empty when disabled. */
  public Optional<InetSocketAddress> address() {
    return Optional.ofNullable(server).map(HttpServer::getAddress);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, "text/plain; charset=utf-8", bytes("method not allowed\n"));
        return;
      }
      String path = exchange.getRequestURI().getPath();
      switch (path) {
        case METRICS_PATH -> metrics(exchange);
        case LIVE_PATH -> probe(exchange, liveness.evaluate());
        case READY_PATH -> probe(exchange, health.evaluate());
        case HEALTH_PATH -> everything(exchange);
        default -> respond(exchange, 404, "text/plain; charset=utf-8", bytes("not found\n"));
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Ops endpoint request failed: {}", HealthChecks.describe(e));
      throw e;
    }
  }

  private void metrics(HttpExchange exchange) throws IOException {
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    String contentType =
        accept != null && accept.contains("application/openmetrics-text")
            ? OPENMETRICS_TEXT
            : PROMETHEUS_TEXT;
    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
    registry.scrape(body, contentType);
    respond(exchange, 200, contentType, body.toByteArray());
  }

  private void probe(HttpExchange exchange, Report report) throws IOException {
    respond(
        exchange,
        report.status() == HealthCheck.Status.UP ? 200 : 503,
        JSON_TYPE,
        JSON.writeValueAsBytes(toJson(report)));
  }

  private void everything(HttpExchange exchange) throws IOException {
    Report live = liveness.evaluate();
    Report ready = health.evaluate();
    boolean up = live.status() == HealthCheck.Status.UP && ready.status() == HealthCheck.Status.UP;
    ObjectNode root = JSON.createObjectNode();
    root.put("status", up ? "UP" : "DOWN");
    root.set("live", toJson(live));
    root.set("ready", toJson(ready));
    respond(exchange, 200, JSON_TYPE, JSON.writeValueAsBytes(root));
  }

  static ObjectNode toJson(Report report) {
    ObjectNode root = JSON.createObjectNode();
    root.put("status", report.status().name());
    ArrayNode checks = root.putArray("checks");
    for (Outcome outcome : report.checks()) {
      ObjectNode check =
          checks
              .addObject()
              .put("name", outcome.name())
              .put("status", outcome.result().status().name())
              .put("reason", outcome.result().reason());
      if (!outcome.result().details().isEmpty()) {
        check.set("details", JSON.valueToTree(outcome.result().details()));
      }
    }
    return root;
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "ops-http-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Stops accepting and closes open connections (scrapes and probes are retried), stops the
   * threads.
   */
  @Override
  public void close() {
    if (server == null) {
      return;
    }
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
