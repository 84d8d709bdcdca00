package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.ops.HealthCheck;
import io.pmaccountstream.ops.HealthChecks;
import io.pmaccountstream.ops.Metrics;
import io.pmaccountstream.ops.OpsConfig;
import io.pmaccountstream.ops.OpsServer;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryException;
import io.pmaccountstream.streams.DeriveApp;
import io.pmaccountstream.streams.DeriveConfig;
import io.pmaccountstream.streams.DeriveStartupException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code derive}: runs the derivation (Kafka Streams) until SIGTERM. Only wires. */
@Command(
    name = "derive",
    mixinStandardHelpOptions = true,
    description = {
      "Derives status transitions, uniMMR level events and the latest snapshot per account from"
          + " pm.account.snapshots with Kafka Streams (exactly-once), until SIGTERM or Ctrl-C.",
      "Exit codes: 0 stopped on request, 1 runtime failure, 2 configuration error."
    })
public final class DeriveCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConfigOptions config;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT,...",
      description = "Kafka bootstrap servers (bootstrap.servers).")
  String bootstrapServers;

  @Option(
      names = "--schema-registry-url",
      paramLabel = "URL",
      description = "Confluent-API schema registry URL (schema.registry.url).")
  String schemaRegistryUrl;

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      description =
          "Kafka Streams application id (derive.application.id, default"
              + " pm-account-stream-derive).")
  String applicationId;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "State store directory (derive.state.dir).")
  String stateDir;

  @Option(
      names = "--levels",
      paramLabel = "L1,L2,...",
      description = "uniMMR levels (derive.levels, default 1.5,1.2,1.05).")
  String levels;

  @Option(
      names = "--hysteresis",
      paramLabel = "H",
      description = "Recovery hysteresis, 0.02 = 2 % (derive.hysteresis, default 0.02).")
  String hysteresis;

  @Option(
      names = "--commit-interval",
      paramLabel = "DURATION",
      description = "Transaction commit interval (derive.commit.interval, default 100ms).")
  String commitInterval;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    DeriveApp.Settings settings;
    OpsConfig opsConfig;
    try {
      ConfigReader reader = new ConfigReader(config.settings(flags()));
      opsConfig = OpsConfig.from(reader);
      settings = DeriveApp.Settings.from(reader);
      reader.throwIfProblems();
    } catch (ConfigException e) {
      return ConfigOptions.reportConfigProblems(e, err);
    }
    try (Metrics metrics =
            Metrics.prometheus("pm-account-stream-derive", Metrics.defaultInstance());
        HttpSchemaRegistryClient registry = HttpSchemaRegistryClient.from(settings.connection())) {
      DeriveApp app = DeriveApp.create(settings, registry, metrics.registry());
      try (OpsServer ops = OpsServer.start(opsConfig, metrics.registry(), health(app))) {
        return run(app, settings.derive(), err);
      }
    } catch (IOException e) {
      err.println("derive failed: cannot open the ops endpoint: " + e.getMessage());
      return 1;
    }
  }

  /** Ready while Kafka Streams is RUNNING; the JSON names the state otherwise. */
  private static HealthChecks health(DeriveApp app) {
    return new HealthChecks()
        .register(
            HealthCheck.named(
                "kafka-streams",
                () ->
                    app.isRunning()
                        ? HealthCheck.Result.up("RUNNING")
                        : HealthCheck.Result.down("Kafka Streams state " + app.state())));
  }

  private static int run(DeriveApp app, DeriveConfig config, PrintWriter err) {
    Thread hook = new Thread(() -> app.close(config.shutdownTimeout()), "derive-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      app.start();
      KafkaStreams.State end = app.stopped().join();
      if (end == KafkaStreams.State.ERROR) {
        err.println("derive stopped: Kafka Streams is in ERROR (see the log for the cause)");
        return 1;
      }
      return 0;
    } catch (DeriveStartupException | KafkaException | SchemaRegistryException e) {
      err.println("derive failed: " + e.getMessage());
      return 1;
    } finally {
      removeHook(hook);
      app.close(config.shutdownTimeout());
    }
  }

  /** The command's own flags as configuration keys (null when not given). */
  Map<String, String> flags() {
    Map<String, String> flags = new HashMap<>();
    flags.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), bootstrapServers);
    flags.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl);
    flags.put(DeriveConfig.APPLICATION_ID.name(), applicationId);
    flags.put(DeriveConfig.STATE_DIR.name(), stateDir);
    flags.put(DeriveConfig.COMMIT_INTERVAL.name(), commitInterval);
    flags.put(DerivationConfig.LEVELS.name(), levels);
    flags.put(DerivationConfig.HYSTERESIS.name(), hysteresis);
    return flags;
  }

  static DeriveApp.Settings read(Settings settings) {
    ConfigReader reader = new ConfigReader(settings);
    DeriveApp.Settings result = DeriveApp.Settings.from(reader);
    reader.throwIfProblems();
    return result;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down and the hook is running: it closes the app
    }
  }
}
