package io.pmaccountstream.cli;

import io.pmaccountstream.binance.BinanceHealth;
import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.ops.HealthCheck;
import io.pmaccountstream.ops.HealthChecks;
import io.pmaccountstream.ops.HttpReachableCheck;
import io.pmaccountstream.ops.KafkaReachableCheck;
import io.pmaccountstream.ops.Metrics;
import io.pmaccountstream.ops.OpsConfig;
import io.pmaccountstream.ops.OpsServer;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.poller.PollerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
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

  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration CHECK_CACHE = Duration.ofSeconds(5);

  @Spec CommandSpec spec;
  @Mixin ConfigOptions config;

  @Option(names = "--base-url", description = "Binance PAPI base URL (binance.base.url).")
  String baseUrl;

  @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers.")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", description = "Confluent-API schema registry URL.")
  String schemaRegistryUrl;

  @Option(names = "--interval", description = "Poll interval per account, e.g. 5s (poll.interval).")
  String interval;

  @Option(names = "--emit", description = "changes or every-poll (poll.emit).")
  String emit;

  @Option(names = "--topic", description = "Snapshot topic (topic.snapshots).")
  String topic;

  @Option(names = "--ops-port", description = "Port of /metrics and /health (ops.http.port).")
  String opsPort;

  @Override
  public Integer call() throws Exception {
    Map<String, String> flags = new HashMap<>();
    flags.put("binance.base.url", baseUrl);
    flags.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), bootstrapServers);
    flags.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl);
    flags.put(PollerConfig.INTERVAL.name(), interval);
    flags.put(PollerConfig.EMIT.name(), emit);
    flags.put(Topics.SNAPSHOTS.name(), topic);
    flags.put(OpsConfig.HTTP_PORT.name(), opsPort);
    PollerApp.Settings settings;
    OpsConfig opsConfig;
    try {
      ConfigReader reader = new ConfigReader(config.settings(flags));
      opsConfig = OpsConfig.from(reader);
      settings = PollerApp.Settings.from(reader);
    } catch (ConfigException e) {
      return ConfigOptions.reportConfigProblems(e, spec.commandLine().getErr());
    }
    Metrics metrics = Metrics.prometheus("pm-account-stream-poll", Metrics.defaultInstance());
    PollerApp app = PollerApp.create(settings, metrics.registry());
    app.producers().forEach(metrics::bindProducer);
    KafkaReachableCheck kafka =
        KafkaReachableCheck.create(settings.kafka().clientProperties(), CHECK_TIMEOUT);
    OpsServer ops =
        OpsServer.start(
            opsConfig,
            metrics.registry(),
            healthChecks(app, kafka),
            new HealthChecks().register(app.livenessChecks()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.shutdown(settings.poller().shutdownTimeout());
                  ops.close();
                  kafka.close();
                  metrics.close();
                  stopped.countDown();
                },
                "poller-shutdown"));
    app.start();
    stopped.await();
    return 0;
  }

  /** Ready: broker and registry answer, the IP is not banned, every account is fresh. */
  private static HealthChecks healthChecks(PollerApp app, KafkaReachableCheck kafka) {
    Clock clock = Clock.systemUTC();
    return new HealthChecks()
        .register(kafka.cachedFor(CHECK_CACHE, clock))
        .register(
            HttpReachableCheck.schemaRegistry(
                    app.settings().kafka().schemaRegistryUrl(), CHECK_TIMEOUT)
                .cachedFor(CHECK_CACHE, clock))
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
