package io.pmaccountstream.cli;

import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.ops.ConnectionChecks;
import io.pmaccountstream.ops.HealthCheck;
import io.pmaccountstream.ops.HealthChecks;
import io.pmaccountstream.ops.Metrics;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryException;
import io.pmaccountstream.streams.DeriveApp;
import io.pmaccountstream.streams.DeriveConfig;
import io.pmaccountstream.streams.DeriveStartupException;
import java.io.PrintWriter;
import java.time.Clock;
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
          + " pm.account.snapshots with Kafka Streams (exactly-once), until SIGTERM or Ctrl-C."
          + " Waits (not ready) until the input topic exists.",
      "Exit codes: 0 stopped on request, 1 runtime failure, 2 configuration error."
    })
public final class DeriveCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConfigOptions config;
  @Mixin ConnectionOptions connection;

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
      description = "Recovery hysteresis, 0.02 = 2 %% (derive.hysteresis, default 0.02).")
  String hysteresis;

  @Option(
      names = "--commit-interval",
      paramLabel = "DURATION",
      description = "Transaction commit interval (derive.commit.interval, default 25ms).")
  String commitInterval;

  @Option(
      names = "--emit-from",
      paramLabel = "first-start|all",
      description =
          "Which snapshots emit events (derive.emit.from, default first-start: those observed"
              + " after the application first started; all: the whole retained history).")
  String emitFrom;

  /** Every setting of {@code derive}, validated together. */
  @Override
  public Integer call() throws InterruptedException {
    Service.Settings<DeriveApp.Settings> settings = read();
    PrintWriter err = spec.commandLine().getErr();
    return Service.run(
        "derive", settings.ops(), err, m -> new DeriveService(settings.app(), m, err));
  }

  /** The settings {@link #call} runs with: the file, the environment and these flags. */
  Service.Settings<DeriveApp.Settings> read() {
    Map<String, String> flags = connection.flags();
    flags.put(DeriveConfig.APPLICATION_ID.name(), applicationId);
    flags.put(DeriveConfig.STATE_DIR.name(), stateDir);
    flags.put(DeriveConfig.COMMIT_INTERVAL.name(), commitInterval);
    flags.put(DeriveConfig.EMIT_FROM.name(), emitFrom);
    flags.put(DerivationConfig.LEVELS.name(), levels);
    flags.put(DerivationConfig.HYSTERESIS.name(), hysteresis);
    return Service.settings(config, flags, DeriveApp.Settings::from);
  }

  /**
   * Ready: the broker and the registry answer (cached, as for {@code poll}) and Kafka Streams is
   * RUNNING. Streams stays RUNNING through a broker outage and does not ask the registry for a
   * schema it has cached, so only the connection checks see either go away.
   */
  static HealthChecks healthChecks(HealthCheck streams, ConnectionChecks connection) {
    return new HealthChecks().register(connection.checks()).register(streams);
  }

  /** The Kafka Streams app, its registry client and the checks of its connection. */
  private static final class DeriveService implements Service {
    private final DeriveConfig config;
    private final HttpSchemaRegistryClient registry;
    private final ConnectionChecks connection;
    private final DeriveApp app;
    private final PrintWriter err;

    DeriveService(DeriveApp.Settings settings, Metrics metrics, PrintWriter err) {
      this.config = settings.derive();
      this.registry = HttpSchemaRegistryClient.from(settings.connection());
      this.connection = ConnectionChecks.create(settings.connection(), Clock.systemUTC());
      this.app = DeriveApp.create(settings, registry, metrics.registry());
      this.err = err;
    }

    /**
     * Ready while Kafka and the registry answer and Kafka Streams is RUNNING; the JSON says what
     * start-up waits for (the input topic) or names the state otherwise.
     */
    @Override
    public HealthChecks health() {
      return healthChecks(app.readiness(), connection);
    }

    @Override
    public HealthChecks liveness() {
      return new HealthChecks().register(app.liveness());
    }

    @Override
    public int run() {
      try {
        if (!app.start()) {
          return 0; // stopped while waiting for the input topic
        }
        KafkaStreams.State end = app.stopped().join();
        if (end == KafkaStreams.State.ERROR) {
          err.println("derive stopped: Kafka Streams is in ERROR (see the log for the cause)");
          return 1;
        }
        return 0;
      } catch (DeriveStartupException | KafkaException | SchemaRegistryException e) {
        err.println("derive failed: " + e.getMessage());
        return 1;
      }
    }

    @Override
    public void stop() {
      app.close(config.shutdownTimeout());
    }

    @Override
    public void close() {
      connection.close();
      registry.close();
    }
  }
}
