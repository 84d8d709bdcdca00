package io.pmaccountstream.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.SimulatedAccount;
import io.pmaccountstream.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code simulate}: runs the Binance Portfolio Margin simulator until Ctrl-C. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a local Binance Portfolio Margin API simulator (GET /papi/v1/account, /papi/v1/ping,"
          + " /fapi/v1/time) with scenario-driven accounts and injected faults, until Ctrl-C.",
      "Every option is also a configuration key (simulator.*) settable in --config or as PMAS_*."
    })
final class SimulateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConfigOptions config;

  @Option(names = "--port", paramLabel = "PORT", description = "Port; 0 (default) picks a free one")
  String port;

  @Option(
      names = "--bind-address",
      paramLabel = "ADDRESS",
      description = "Address to listen on (default 127.0.0.1)")
  String bindAddress;

  @Option(
      names = "--fapi-weight-limit",
      paramLabel = "WEIGHT",
      description = "Weight per IP per minute for /fapi/v1/time (default 2400)")
  String fapiWeightLimit;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      description = "Connections served at once (default 1024)")
  String maxConnections;

  @Option(
      names = "--idle-timeout",
      paramLabel = "DURATION",
      description = "Idle keep-alive connections close after this (default 60s)")
  String idleTimeout;

  @Option(
      names = "--scenario",
      paramLabel = "NAME|FILE",
      description =
          "calm, margin-call, liquidation, flapping, many, or a scenario file; comma-separated"
              + " (default calm)")
  String scenario;

  @Option(names = "--accounts", paramLabel = "N", description = "Accounts per built-in scenario")
  String accounts;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      description = "Seed of paths, generated keys and faults (default 1)")
  String seed;

  @Option(
      names = "--speed",
      paramLabel = "FACTOR",
      description = "Scenario clock speed (default 1; 20 = 20x)")
  String speed;

  @Option(
      names = "--clock-skew",
      paramLabel = "DURATION",
      description = "Server clock offset, e.g. 3s or -1500ms")
  String clockSkew;

  @Option(
      names = "--weight-limit",
      paramLabel = "WEIGHT",
      description = "Request weight per IP per minute (default 6000)")
  String weightLimit;

  @Option(names = "--ban-duration", paramLabel = "DURATION", description = "First 418 ban (2m)")
  String banDuration;

  @Option(
      names = "--key-type",
      paramLabel = "TYPE",
      description = "Generated keys: hmac (default), rsa or ed25519")
  String keyType;

  @Option(
      names = "--credentials-out",
      paramLabel = "FILE",
      description = "Write the accounts' API keys and secrets here as poller configuration")
  String credentialsOut;

  @Option(
      names = "--server-error-rate",
      paramLabel = "RATE",
      description = "Share of account requests: 500/503 answers")
  String serverErrorRate;

  @Option(
      names = "--reset-rate",
      paramLabel = "RATE",
      description = "Share of account requests: connections reset (TCP RST)")
  String resetRate;

  @Option(
      names = "--truncated-body-rate",
      paramLabel = "RATE",
      description = "Share of account requests: bodies cut short")
  String truncatedBodyRate;

  @Option(
      names = "--truncated-json-rate",
      paramLabel = "RATE",
      description = "Share of account requests: complete but cut JSON")
  String truncatedJsonRate;

  @Option(
      names = "--html-rate",
      paramLabel = "RATE",
      description = "Share of account requests: HTML error pages")
  String htmlRate;

  @Option(
      names = "--empty-number-rate",
      paramLabel = "RATE",
      description = "Share with an amount served as \"\"")
  String emptyNumberRate;

  @Option(
      names = "--non-numeric-rate",
      paramLabel = "RATE",
      description = "Share with a non-numeric amount")
  String nonNumericRate;

  @Option(
      names = "--unknown-status-rate",
      paramLabel = "RATE",
      description = "Share with an undocumented status")
  String unknownStatusRate;

  @Option(
      names = "--hostile-rate",
      paramLabel = "RATE",
      description = "Share answered from the hostile corpus (docs/simulator.md)")
  String hostileRate;

  @Option(
      names = "--hostile-drip",
      paramLabel = "DURATION",
      description = "How long the hostile slow drip takes (default 30s)")
  String hostileDrip;

  @Option(
      names = "--latency",
      paramLabel = "DURATION",
      description = "Latency (median if lognormal)")
  String latency;

  @Option(
      names = "--latency-jitter",
      paramLabel = "DURATION",
      description = "Uniform extra latency")
  String latencyJitter;

  @Option(
      names = "--latency-distribution",
      paramLabel = "NAME",
      description = "fixed (default) or lognormal")
  String latencyDistribution;

  @Option(
      names = "--latency-sigma",
      paramLabel = "SIGMA",
      description = "Lognormal sigma (default 0.5)")
  String latencySigma;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      description = "Stop after this long (default: run until Ctrl-C)")
  String duration;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Wiring wiring = read();
    SimulatorConfig simulatorConfig = wiring.simulator();
    Optional<Duration> runFor = wiring.runFor();
    BinancePmSimulator simulator =
        BinancePmSimulator.create(simulatorConfig, new SimpleMeterRegistry());
    try {
      simulator.start();
    } catch (UncheckedIOException e) {
      err.println(e.getMessage() + ": " + e.getCause().getMessage());
      return 1;
    }
    try (simulator) {
      if (simulatorConfig.credentialsOut().isPresent()) {
        Path file = simulatorConfig.credentialsOut().get();
        simulator.writeCredentials(file);
        out.println(
            "Credentials of " + simulator.accounts().size() + " accounts written to " + file);
      }
      out.println("Binance PM simulator listening on " + simulator.baseUrl());
      out.println("User-data streams (binance.ws.base.url) on " + simulator.wsBaseUrl());
      out.println("Accounts: " + describe(simulator.accounts()));
      out.flush();
      awaitStop(runFor);
      return 0;
    } catch (IOException e) {
      err.println("cannot write credentials: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** Every setting of {@code simulate}, validated together. */
  record Wiring(SimulatorConfig simulator, Optional<Duration> runFor) {}

  Wiring read() {
    return config.read(
        flags(),
        reader -> {
          Optional<SimulatorConfig> simulator = reader.component(SimulatorConfig::from);
          Optional<Duration> runFor =
              duration == null
                  ? Optional.empty()
                  : ConfigOptions.positiveDuration(reader, "--duration", duration);
          reader.throwIfProblems();
          return new Wiring(simulator.orElseThrow(), runFor);
        });
  }

  private Map<String, String> flags() {
    Map<String, String> flags = new HashMap<>();
    flags.put(SimulatorConfig.PORT.name(), port);
    flags.put(SimulatorConfig.BIND_ADDRESS.name(), bindAddress);
    flags.put(SimulatorConfig.FAPI_WEIGHT_LIMIT.name(), fapiWeightLimit);
    flags.put(SimulatorConfig.MAX_CONNECTIONS.name(), maxConnections);
    flags.put(SimulatorConfig.IDLE_TIMEOUT.name(), idleTimeout);
    flags.put(SimulatorConfig.SCENARIO.name(), scenario);
    flags.put(SimulatorConfig.ACCOUNTS.name(), accounts);
    flags.put(SimulatorConfig.SEED.name(), seed);
    flags.put(SimulatorConfig.SPEED.name(), speed);
    flags.put(SimulatorConfig.CLOCK_SKEW.name(), clockSkew);
    flags.put(SimulatorConfig.WEIGHT_LIMIT.name(), weightLimit);
    flags.put(SimulatorConfig.BAN_DURATION.name(), banDuration);
    flags.put(SimulatorConfig.KEY_TYPE.name(), keyType);
    flags.put(SimulatorConfig.CREDENTIALS_OUT.name(), credentialsOut);
    flags.put(SimulatorConfig.SERVER_ERROR_RATE.name(), serverErrorRate);
    flags.put(SimulatorConfig.RESET_RATE.name(), resetRate);
    flags.put(SimulatorConfig.TRUNCATED_BODY_RATE.name(), truncatedBodyRate);
    flags.put(SimulatorConfig.TRUNCATED_JSON_RATE.name(), truncatedJsonRate);
    flags.put(SimulatorConfig.HTML_RATE.name(), htmlRate);
    flags.put(SimulatorConfig.EMPTY_NUMBER_RATE.name(), emptyNumberRate);
    flags.put(SimulatorConfig.NON_NUMERIC_RATE.name(), nonNumericRate);
    flags.put(SimulatorConfig.UNKNOWN_STATUS_RATE.name(), unknownStatusRate);
    flags.put(SimulatorConfig.HOSTILE_RATE.name(), hostileRate);
    flags.put(SimulatorConfig.HOSTILE_DRIP.name(), hostileDrip);
    flags.put(SimulatorConfig.LATENCY.name(), latency);
    flags.put(SimulatorConfig.LATENCY_JITTER.name(), latencyJitter);
    flags.put(SimulatorConfig.LATENCY_DISTRIBUTION.name(), latencyDistribution);
    flags.put(SimulatorConfig.LATENCY_SIGMA.name(), latencySigma);
    return flags;
  }

  private static void awaitStop(Optional<Duration> runFor) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    try (ShutdownHook hook = ShutdownHook.install("pm-sim-shutdown", stop::countDown)) {
      if (runFor.isPresent()) {
        stop.await(runFor.get().toMillis(), TimeUnit.MILLISECONDS);
      } else {
        stop.await();
      }
    }
  }

  private static String describe(List<SimulatedAccount> accounts) {
    List<String> ids = accounts.stream().map(SimulatedAccount::id).toList();
    String shown = ids.stream().limit(10).collect(Collectors.joining(", "));
    return ids.size() > 10 ? shown + ", ... (" + ids.size() + " in all)" : shown;
  }
}
