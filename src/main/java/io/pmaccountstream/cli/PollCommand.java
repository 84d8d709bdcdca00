package io.pmaccountstream.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.poller.PollerConfig;
import io.pmaccountstream.publish.KafkaConnection;
import io.pmaccountstream.publish.Topics;
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

  @Override
  public Integer call() {
    Map<String, String> flags = new HashMap<>();
    flags.put("binance.base.url", baseUrl);
    flags.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), bootstrapServers);
    flags.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl);
    flags.put(PollerConfig.INTERVAL.name(), interval);
    flags.put(PollerConfig.EMIT.name(), emit);
    flags.put(Topics.SNAPSHOTS.name(), topic);
    PollerApp.Settings settings;
    try {
      settings = PollerApp.Settings.from(new ConfigReader(config.settings(flags)));
    } catch (ConfigException e) {
      return ConfigOptions.reportConfigProblems(e, spec.commandLine().getErr());
    }
    MeterRegistry meters = new SimpleMeterRegistry();
    PollerApp app = PollerApp.create(settings, meters);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.shutdown(settings.poller().shutdownTimeout());
                  stopped.countDown();
                },
                "poller-shutdown"));
    app.start();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
