package io.pmaccountstream.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpsConfigTest {

  private static ConfigReader fromEnv(Map<String, String> env) {
    return new ConfigReader(Settings.load(Optional.empty(), env, Map.of()));
  }

  @Test
  void defaultsToPort8080OnLoopback() {
    ConfigReader reader = fromEnv(Map.of());

    OpsConfig config = OpsConfig.from(reader);

    assertThat(reader.problems()).isEmpty();
    assertThat(config).isEqualTo(new OpsConfig(true, 8080, "127.0.0.1"));
  }

  @Test
  void readsPortAndBindFromTheEnvironment() {
    ConfigReader reader =
        fromEnv(Map.of("PMAS_OPS_HTTP_PORT", "9404", "PMAS_OPS_HTTP_BIND", "0.0.0.0"));

    assertThat(OpsConfig.from(reader)).isEqualTo(new OpsConfig(true, 9404, "0.0.0.0"));
  }

  @Test
  void minusOneOrDisabledTurnsTheEndpointOff() {
    assertThat(OpsConfig.from(fromEnv(Map.of("PMAS_OPS_HTTP_PORT", "-1"))).enabled()).isFalse();
    assertThat(OpsConfig.from(fromEnv(Map.of("PMAS_OPS_HTTP_PORT", "Disabled"))).enabled())
        .isFalse();
  }

  @Test
  void zeroAsksForAnyFreePort() {
    OpsConfig config = OpsConfig.from(fromEnv(Map.of("PMAS_OPS_HTTP_PORT", "0")));

    assertThat(config.enabled()).isTrue();
    assertThat(config.port()).isZero();
  }

  @Test
  void reportsAnInvalidPortWithItsValueAndTheRule() {
    ConfigReader reader = fromEnv(Map.of("PMAS_OPS_HTTP_PORT", "70000"));
    ConfigReader letters = fromEnv(Map.of("PMAS_OPS_HTTP_PORT", "eighty"));

    assertThatThrownBy(() -> OpsConfig.from(reader)).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> OpsConfig.from(letters)).isInstanceOf(ConfigException.class);

    assertThat(reader.problems())
        .singleElement()
        .asString()
        .contains("ops.http.port", "70000", "a port 0-65535, -1 or 'disabled'");
    assertThat(letters.problems()).singleElement().asString().contains("eighty");
  }

  @Test
  void anInvalidSettingIsAConfigExceptionNamingEveryProblemNotADisabledEndpoint() {
    ConfigReader reader = fromEnv(Map.of("PMAS_OPS_HTTP_PORT", "eighty"));
    ConfigReader portOnly = fromEnv(Map.of("PMAS_OPS_HTTP_PORT", "9404"));

    assertThatThrownBy(() -> OpsConfig.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("ops.http.port = 'eighty'"));
    assertThat(OpsConfig.from(portOnly)).isEqualTo(new OpsConfig(true, 9404, "127.0.0.1"));
  }
}
