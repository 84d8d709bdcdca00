package io.pmaccountstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.simulator.fault.Fault;
import io.pmaccountstream.simulator.fault.LatencyModel;
import io.pmaccountstream.simulator.scenario.KeyType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SimulatorConfigTest {

  @Test
  void readsEveryKey() {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(
                Map.ofEntries(
                    Map.entry("simulator.port", "18080"),
                    Map.entry("simulator.scenario", "margin-call, liquidation"),
                    Map.entry("simulator.accounts", "3"),
                    Map.entry("simulator.seed", "99"),
                    Map.entry("simulator.speed", "20"),
                    Map.entry("simulator.clock.skew", "-1500ms"),
                    Map.entry("simulator.weight.limit", "1200"),
                    Map.entry("simulator.ban.duration", "30s"),
                    Map.entry("simulator.key.type", "ed25519"),
                    Map.entry("simulator.credentials.out", "/tmp/creds.properties"),
                    Map.entry("simulator.fault.server.error.rate", "0.1"),
                    Map.entry("simulator.fault.reset.rate", "0.05"),
                    Map.entry("simulator.fault.latency", "40ms"),
                    Map.entry("simulator.fault.latency.distribution", "lognormal"),
                    Map.entry("simulator.fault.latency.sigma", "0.7"))));

    SimulatorConfig config = SimulatorConfig.from(reader);

    assertThat(reader.problems()).isEmpty();
    assertThat(config.port()).isEqualTo(18080);
    assertThat(config.scenarios()).containsExactly("margin-call", "liquidation");
    assertThat(config.accounts()).contains(3);
    assertThat(config.seed()).isEqualTo(99);
    assertThat(config.speed()).isEqualTo(20.0);
    assertThat(config.clockSkew()).isEqualTo(Duration.ofMillis(-1500));
    assertThat(config.weightLimit()).isEqualTo(1200);
    assertThat(config.banDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.keyType()).isEqualTo(KeyType.ED25519);
    assertThat(config.credentialsOut()).contains(Path.of("/tmp/creds.properties"));
    assertThat(config.faults().rate(Fault.SERVER_ERROR_500)).isEqualTo(0.05);
    assertThat(config.faults().rate(Fault.SERVER_ERROR_503)).isEqualTo(0.05);
    assertThat(config.faults().rate(Fault.CONNECTION_RESET)).isEqualTo(0.05);
    assertThat(config.faults().latency())
        .isEqualTo(LatencyModel.lognormal(Duration.ofMillis(40), 0.7));
  }

  @Test
  void defaultsAreTheBuildersDefaults() {
    ConfigReader reader = new ConfigReader(Settings.ofFlags(Map.of()));

    assertThat(SimulatorConfig.from(reader)).isEqualTo(SimulatorConfig.builder().build());
    assertThat(reader.problems()).isEmpty();
  }

  @Test
  void reportsEveryProblemAtOnce() {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(
                Map.of(
                    "simulator.port", "70000",
                    "simulator.speed", "0",
                    "simulator.clock.skew", "later",
                    "simulator.fault.reset.rate", "0.7",
                    "simulator.fault.html.rate", "0.6")));

    assertThatThrownBy(() -> SimulatorConfig.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.problems()).isEqualTo(reader.problems()));

    assertThat(reader.problems())
        .hasSize(4)
        .anyMatch(p -> p.startsWith("simulator.port = '70000'"))
        .anyMatch(p -> p.startsWith("simulator.speed = '0'"))
        .anyMatch(p -> p.startsWith("simulator.clock.skew = 'later'"))
        .anyMatch(p -> p.contains("add up to 1.3"));
  }

  @Test
  void everyInvalidFieldIsNamedInOneConfigExceptionInsteadOfADefault() {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(
                Map.ofEntries(
                    Map.entry("simulator.scenario", " , "),
                    Map.entry("simulator.accounts", "0"),
                    Map.entry("simulator.seed", "x"),
                    Map.entry("simulator.weight.limit", "0"),
                    Map.entry("simulator.fapi.weight.limit", "0"),
                    Map.entry("simulator.ban.duration", "0s"),
                    Map.entry("simulator.max.connections", "0"),
                    Map.entry("simulator.idle.timeout", "0s"),
                    Map.entry("simulator.key.type", "dsa"),
                    Map.entry("simulator.fault.latency", "-1ms"),
                    Map.entry("simulator.fault.latency.distribution", "lognormal"),
                    Map.entry("simulator.fault.latency.sigma", "11"),
                    Map.entry("simulator.fault.hostile.drip", "0s"))));

    assertThatThrownBy(() -> SimulatorConfig.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(12)
                    .anyMatch(p -> p.startsWith("simulator.scenario = ' , '"))
                    .anyMatch(p -> p.startsWith("simulator.accounts = '0'"))
                    .anyMatch(p -> p.startsWith("simulator.seed = 'x'"))
                    .anyMatch(p -> p.startsWith("simulator.weight.limit = '0'"))
                    .anyMatch(p -> p.startsWith("simulator.fapi.weight.limit = '0'"))
                    .anyMatch(p -> p.startsWith("simulator.ban.duration = '0s'"))
                    .anyMatch(p -> p.startsWith("simulator.max.connections = '0'"))
                    .anyMatch(p -> p.startsWith("simulator.idle.timeout = '0s'"))
                    .anyMatch(p -> p.startsWith("simulator.key.type = 'dsa'"))
                    .anyMatch(p -> p.startsWith("simulator.fault.latency = '-1ms'"))
                    .anyMatch(p -> p.startsWith("simulator.fault.latency.sigma = '11'"))
                    .anyMatch(p -> p.startsWith("simulator.fault.hostile.drip = '0s'")));
  }

  @Test
  void everyFieldIsASimulatorKeyWithADescription() {
    List<ConfigField<?>> fields = SimulatorConfig.fields();

    assertThat(fields).hasSize(28);
    assertThat(fields)
        .allSatisfy(
            f -> {
              assertThat(f.name()).startsWith("simulator.");
              assertThat(f.doc()).isNotBlank();
            });
    assertThat(fields.stream().map(ConfigField::name).distinct()).hasSameSizeAs(fields);
    assertThat(Optional.of(SimulatorConfig.PORT.defaultValue().orElseThrow())).contains("0");
  }
}
