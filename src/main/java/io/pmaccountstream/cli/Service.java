package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.ops.HealthChecks;
import io.pmaccountstream.ops.Metrics;
import io.pmaccountstream.ops.OpsConfig;
import io.pmaccountstream.ops.OpsServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * A long-running command ({@code poll}, {@code derive}): what differs between them. {@link #run}
 * wires what they share: Prometheus metrics, {@code /metrics} and {@code /health} on the ops port,
 * and a SIGTERM / Ctrl-C hook that stops the service and lets everything close in order before the
 * JVM exits.
 */
public interface Service extends AutoCloseable {

  /**
   * What a long-running command runs with: the ops endpoint's settings and the app's, read together
   * by {@link #settings}.
   */
  record Settings<A>(OpsConfig ops, A app) {}

  /**
   * The ops settings and the app's from the command's configuration, every problem of both in one
   * {@link io.pmaccountstream.config.ConfigException} (the ops settings are read apart, so the
   * app's problems are listed even when they are wrong).
   */
  static <A> Settings<A> settings(
      ConfigOptions config, Map<String, String> flags, Function<ConfigReader, A> app) {
    return config.read(
        flags,
        reader -> {
          Optional<OpsConfig> ops = reader.component(OpsConfig::from);
          A settings = app.apply(reader);
          reader.throwIfProblems();
          return new Settings<>(ops.orElseThrow(), settings);
        });
  }

  /** How long the shutdown hook waits, after the service stopped, for the rest to close. */
  Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** Readiness of this service for {@code /health/ready}. */
  HealthChecks health();

  /** Liveness for {@code /health/live}: DOWN when an internal loop died or is wedged. */
  default HealthChecks liveness() {
    return new HealthChecks();
  }

  /**
   * Starts and blocks until the service stops, by {@link #stop} or by itself.
   *
   * @return the exit code: 0 stopped on request, 1 failed
   */
  int run() throws InterruptedException;

  /** Stops and returns once stopped (polls finished, unsent records sent, Streams closed). */
  void stop();

  /** Releases what {@link #stop} does not; called once, after it. */
  @Override
  default void close() {}

  /**
   * Runs a service until SIGTERM or until it stops by itself.
   *
   * @param command the command's name, for metrics ({@code pm-account-stream-<command>}), the
   *     shutdown thread and messages
   * @param create builds the service on the metrics it should register with
   */
  static int run(
      String command, OpsConfig opsConfig, PrintWriter err, Function<Metrics, Service> create)
      throws InterruptedException {
    CountDownLatch closed = new CountDownLatch(1);
    try (Metrics metrics =
            Metrics.prometheus("pm-account-stream-" + command, Metrics.defaultInstance());
        Service service = create.apply(metrics);
        OpsServer ops =
            OpsServer.start(opsConfig, metrics.registry(), service.health(), service.liveness())) {
      Stopper stopper = new Stopper(service);
      try (ShutdownHook hook =
          ShutdownHook.install(
              command + "-shutdown",
              () -> {
                stopper.stop();
                ShutdownHook.awaitClosed(closed, CLOSE_GRACE);
              })) {
        return service.run();
      } finally {
        stopper.stop();
      }
    } catch (IOException e) {
      err.println(command + " failed: cannot open the ops endpoint: " + e.getMessage());
      return 1;
    } finally {
      closed.countDown();
    }
  }

  /** Stops a service once; a second caller waits until the first has stopped it. */
  final class Stopper {
    private final Service service;
    private boolean stopped;

    Stopper(Service service) {
      this.service = service;
    }

    synchronized void stop() {
      if (!stopped) {
        stopped = true;
        service.stop();
      }
    }
  }
}
