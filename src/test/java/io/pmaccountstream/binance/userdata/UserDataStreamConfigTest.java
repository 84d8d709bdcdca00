package io.pmaccountstream.binance.userdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserDataStreamConfigTest {

  @Test
  void defaultsAreOffAndFollowBinancesRules() {
    UserDataStreamConfig config = UserDataStreamConfig.from(reader(Map.of()));

    assertThat(config.enabled()).isFalse();
    assertThat(config.wsBaseUrl()).isEqualTo(URI.create("wss://fstream.binance.com/pm/ws"));
    assertThat(config.keepalive()).isEqualTo(Duration.ofMinutes(30));
    assertThat(config.maxConnectionAge()).isEqualTo(Duration.ofHours(23));
    assertThat(config.pingInterval()).isEqualTo(Duration.ofMinutes(3));
    assertThat(config.pongTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.reconnectInitialBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.reconnectMaxBackoff()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void plainWsOnlyToThisMachineAndTheTrailingSlashIsDropped() {
    assertThat(
            UserDataStreamConfig.from(
                    reader(Map.of("binance.ws.base.url", "ws://127.0.0.1:9/pm/ws/")))
                .wsBaseUrl())
        .isEqualTo(URI.create("ws://127.0.0.1:9/pm/ws"));
    assertThat(problems(Map.of("binance.ws.base.url", "ws://example.com/pm/ws")))
        .singleElement()
        .asString()
        .contains("binance.ws.base.url")
        .contains("ws:// only for a loopback host");
    assertThat(problems(Map.of("binance.ws.base.url", "wss://example.com/pm/ws?x=1"))).hasSize(1);
    assertThat(problems(Map.of("binance.ws.base.url", "https://example.com/pm/ws"))).hasSize(1);
  }

  @Test
  void everyProblemIsListedAtOnce() {
    assertThat(
            problems(
                Map.of(
                    "binance.user.stream.keepalive", "60m",
                    "binance.user.stream.max.connection.age", "24h",
                    "binance.user.stream.ping.interval", "1ms",
                    "binance.user.stream.enabled", "maybe",
                    "binance.user.stream.reconnect.initial.backoff", "10s",
                    "binance.user.stream.reconnect.max.backoff", "1s")))
        .hasSize(5)
        .anyMatch(
            p -> p.contains("binance.user.stream.keepalive") && p.contains("between 1s and 59m"))
        .anyMatch(p -> p.contains("binance.user.stream.max.connection.age"))
        .anyMatch(p -> p.contains("binance.user.stream.ping.interval"))
        .anyMatch(p -> p.contains("binance.user.stream.enabled"))
        .anyMatch(
            p ->
                p.equals(
                    "binance.user.stream.reconnect.max.backoff (PT1S) must not be shorter than"
                        + " binance.user.stream.reconnect.initial.backoff (PT10S)"));
  }

  @Test
  void everyFieldIsListedForTheReadme() {
    assertThat(UserDataStreamConfig.fields())
        .extracting(f -> f.name())
        .contains("binance.user.stream.enabled", "binance.ws.base.url")
        .allMatch(n -> n.startsWith("binance."));
  }

  private static java.util.List<String> problems(Map<String, String> flags) {
    return catchThrowableOfType(
            ConfigException.class, () -> UserDataStreamConfig.from(reader(flags)))
        .problems();
  }

  private static ConfigReader reader(Map<String, String> flags) {
    return new ConfigReader(Settings.ofFlags(flags));
  }
}
