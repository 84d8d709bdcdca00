package io.pmaccountstream.cli;

import io.pmaccountstream.binance.BinanceHealth;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.ops.ConnectionChecks;
import io.pmaccountstream.ops.HealthCheck;
import io.pmaccountstream.ops.HealthChecks;
import io.pmaccountstream.ops.Metrics;
import io.pmaccountstream.ops.OpsConfig;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.poller.PollerConfig;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code poll}: polls the configured accounts and publishes snapshots until SIGTERM. */
@Command(
    name = "poll",
    mixinStandardHelpOptions = true,
    description =
        "Poll Binance Portfolio Margin accounts and publish AccountSnapshot records to Kafka.")
final class PollCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ConfigOptions config;
  @Mixin ConnectionOptions connection;

  @Option(names = "--base-url", description = "Binance PAPI base URL (binance.base.url).")
  String baseUrl;

  @Option(names = "--interval", description = "Poll interval per account, e.g. 5s (poll.interval).")
  String interval;

  @Option(names = "--emit", description = "changes or every-poll (poll.emit).")
  String emit;

  @Option(names = "--topic", description = "Snapshot topic (topic.snapshots).")
  String topic;

  @Option(names = "--ops-port", description = "Port of /metrics and /health (ops.http.port).")
  String opsPort;

  /** Every setting of {@code poll}, validated together. */
  @Override
  public Integer call() throws InterruptedException {
    Service.Settings<PollerApp.Settings> settings = read();
    return Service.run(
        "poll",
        settings.ops(),
        spec.commandLine().getErr(),
        metrics -> new PollService(settings.app(), metrics));
  }

  Service.Settings<PollerApp.Settings> read() {
    Map<String, String> flags = connection.flags();
    flags.put("binance.base.url", baseUrl);
    flags.put(PollerConfig.INTERVAL.name(), interval);
    flags.put(PollerConfig.EMIT.name(), emit);
    flags.put(Topics.SNAPSHOTS.name(), topic);
    flags.put(OpsConfig.HTTP_PORT.name(), opsPort);
    return Service.settings(config, flags, PollerApp.Settings::from);
  }

  /** The poller, its broker check for readiness, and its shutdown. */
  private static final class PollService implements Service {
    private final PollerApp app;
    private final ConnectionChecks connection;
    private final CountDownLatch stopped = new CountDownLatch(1);

    PollService(PollerApp.Settings settings, Metrics metrics) {
      this.app = PollerApp.create(settings, metrics.registry());
      app.producers().forEach(metrics::bindProducer);
      this.connection = ConnectionChecks.create(settings.kafka(), Clock.systemUTC());
    }

    @Override
    public HealthChecks health() {
      return healthChecks(app, connection);
    }

    @Override
    public HealthChecks liveness() {
      return new HealthChecks().register(app.livenessChecks());
    }

    @Override
    public int run() throws InterruptedException {
      app.start();
      stopped.await();
      return 0;
    }

    @Override
    public void stop() {
      app.shutdown(app.settings().poller().shutdownTimeout());
      stopped.countDown();
    }

    @Override
    public void close() {
      connection.close();
    }
  }

  /** Ready: broker and registry answer, the IP is not banned, every account is fresh. */
  static HealthChecks healthChecks(PollerApp app, ConnectionChecks connection) {
    return new HealthChecks()
        .register(connection.checks())
        .register(
            HealthCheck.named(
                "binance-ip",
                () -> {
                  BinanceHealth binance = app.client().health();
                  return binance.ipBannedUntil().isPresent()
                      ? HealthCheck.Result.down(
                          "Binance banned this IP (418) until " + binance.ipBannedUntil().get())
                      : HealthCheck.Result.up(
                          "used weight "
                              + binance.usedWeight1m()
                              + "/"
                              + binance.allowedWeight1m());
                }))
        .register(app.readinessChecks());
  }
}
