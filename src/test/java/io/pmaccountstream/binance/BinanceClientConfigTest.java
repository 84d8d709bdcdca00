package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BinanceClientConfigTest {

  @Test
  void defaultsPointAtBinanceWithTheDocumentedLimits() {
    ConfigReader reader = reader(Map.of());
    BinanceClientConfig config = BinanceClientConfig.from(reader);

    assertThat(reader.problems()).isEmpty();
    assertThat(config.baseUrl()).isEqualTo(URI.create("https://papi.binance.com"));
    assertThat(config.timeUrl()).contains(URI.create("https://fapi.binance.com/fapi/v1/time"));
    assertThat(config.recvWindow()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.weightLimitPerMinute()).isEqualTo(6000);
    assertThat(config.weightMaxShare()).isEqualByComparingTo(new BigDecimal("0.8"));
    assertThat(config.retryMaxAttempts()).isEqualTo(4);
    assertThat(config.responseDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.rateLimitMaxPause()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.updateTimeMaxAhead()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.clockMaxOffset()).isEqualTo(Duration.ofHours(1));
    assertThat(config.maxConnections()).isEqualTo(32);
  }

  @Test
  void anInvalidValueThrowsInsteadOfFallingBackToTheDefault() {
    ConfigReader reader = reader(Map.of("binance.max.connections", "0"));

    assertThatThrownBy(() -> BinanceClientConfig.from(reader))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("binance.max.connections = '0'")
        .hasMessageContaining("between 1 and 1000");
    assertThat(reader.problems()).hasSize(1);
  }

  @Test
  void problemsOfComponentsReadBeforeAreListedInTheSameException() {
    ConfigReader reader = reader(Map.of("binance.recv.window", "0ms"));
    reader.problem("poll.interval is invalid");

    assertThat(problemsThrownBy(reader))
        .containsExactly(
            "poll.interval is invalid",
            "binance.recv.window = '0ms' (from flag) is invalid: must be between 1ms and 60s"
                + " (Binance's maximum)");
  }

  @Test
  void problemsOfOtherComponentsAloneDoNotMakeThisOneThrow() {
    ConfigReader reader = reader(Map.of());
    reader.problem("poll.interval is invalid");

    assertThat(BinanceClientConfig.from(reader).recvWindow()).isEqualTo(Duration.ofSeconds(5));
    assertThat(reader.problems()).containsExactly("poll.interval is invalid");
  }

  @Test
  void plainHttpIsRefusedForAnyHostButLoopback() {
    ConfigReader remote = reader(Map.of("binance.base.url", "http://papi.binance.com"));

    assertThat(problemsThrownBy(remote))
        .singleElement()
        .asString()
        .contains("binance.base.url", "http://papi.binance.com", "loopback");
    for (String loopback :
        List.of(
            "http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "http://127.1.2.3")) {
      ConfigReader local = reader(Map.of("binance.base.url", loopback));
      assertThat(BinanceClientConfig.from(local).baseUrl()).hasToString(loopback);
      assertThat(local.problems()).as(loopback).isEmpty();
    }
  }

  @Test
  void aLoopbackLookalikeHostIsNotLoopback() {
    assertThat(BinanceClientConfig.isLoopback("127.0.0.1.evil.example")).isFalse();
    assertThat(BinanceClientConfig.isLoopback("localhost.evil.example")).isFalse();
    assertThat(BinanceClientConfig.isLoopback("128.0.0.1")).isFalse();
    assertThat(BinanceClientConfig.isLoopback("127.0.0.256")).isFalse();
  }

  @Test
  void timeUrlCanBeSwitchedOffAndIsOffForAnotherBaseUrlUnlessSet() {
    assertThat(config(Map.of("binance.time.url", "")).timeUrl()).isEmpty();
    assertThat(config(Map.of("binance.time.url", "none")).timeUrl()).isEmpty();
    assertThat(config(Map.of("binance.base.url", "http://127.0.0.1:9")).timeUrl()).isEmpty();
    assertThat(
            config(
                    Map.of(
                        "binance.base.url", "http://127.0.0.1:9",
                        "binance.time.url", "http://127.0.0.1:9/fapi/v1/time"))
                .timeUrl())
        .contains(URI.create("http://127.0.0.1:9/fapi/v1/time"));
  }

  @Test
  void recvWindowIsBoundedByBinancesSixtySeconds() {
    assertThat(config(Map.of("binance.recv.window", "60s")).recvWindow())
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(config(Map.of("binance.recv.window", "1ms")).recvWindow())
        .isEqualTo(Duration.ofMillis(1));
    ConfigReader tooLarge = reader(Map.of("binance.recv.window", "61s"));
    assertThat(problemsThrownBy(tooLarge))
        .singleElement()
        .asString()
        .contains("binance.recv.window", "between 1ms and 60s");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    ConfigReader reader =
        reader(
            Map.of(
                "binance.base.url", "http://example.com",
                "binance.recv.window", "0ms",
                "binance.weight.max.share", "1.5",
                "binance.retry.max.attempts", "zero",
                "binance.retry.initial.backoff", "10s",
                "binance.retry.max.backoff", "1s"));

    assertThat(problemsThrownBy(reader))
        .hasSize(5)
        .anySatisfy(p -> assertThat(p).contains("binance.base.url"))
        .anySatisfy(p -> assertThat(p).contains("binance.recv.window"))
        .anySatisfy(p -> assertThat(p).contains("binance.weight.max.share"))
        .anySatisfy(p -> assertThat(p).contains("binance.retry.max.attempts"))
        .anySatisfy(p -> assertThat(p).contains("binance.retry.max.backoff", "shorter"));
  }

  @Test
  void environmentVariablesFollowSettings() {
    ConfigReader reader =
        new ConfigReader(
            Settings.load(
                Optional.empty(),
                Map.of("PMAS_BINANCE_RECV_WINDOW", "2500ms", "PMAS_BINANCE_TIME_URL", "none"),
                Map.of()));

    BinanceClientConfig config = BinanceClientConfig.from(reader);

    assertThat(config.recvWindow()).isEqualTo(Duration.ofMillis(2500));
    assertThat(config.timeUrl()).isEmpty();
  }

  @Test
  void fieldsListsEveryDeclaredKey() throws IllegalAccessException {
    List<ConfigField<?>> declared = new java.util.ArrayList<>();
    for (Field field : BinanceClientConfig.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigField.class) {
        declared.add((ConfigField<?>) field.get(null));
      }
    }

    assertThat(BinanceClientConfig.fields()).containsExactlyInAnyOrderElementsOf(declared);
    assertThat(BinanceClientConfig.fields().stream().map(ConfigField::name))
        .allMatch(name -> name.startsWith("binance."))
        .doesNotHaveDuplicates();
    assertThat(Arrays.stream(BinanceClientConfig.class.getFields()).count()).isPositive();
  }

  private static BinanceClientConfig config(Map<String, String> flags) {
    ConfigReader reader = reader(flags);
    BinanceClientConfig config = BinanceClientConfig.from(reader);
    assertThat(reader.problems()).isEmpty();
    return config;
  }

  private static List<String> problemsThrownBy(ConfigReader reader) {
    ConfigException thrown =
        catchThrowableOfType(ConfigException.class, () -> BinanceClientConfig.from(reader));
    assertThat(thrown).as("ConfigException").isNotNull();
    assertThat(thrown.problems()).isEqualTo(reader.problems());
    return thrown.problems();
  }

  private static ConfigReader reader(Map<String, String> flags) {
    return new ConfigReader(Settings.ofFlags(flags));
  }
}
