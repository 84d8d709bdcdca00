package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.derivation.DerivationConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdaptiveConfigTest {

  private static ConfigReader reader(Map<String, String> env) {
    return new ConfigReader(Settings.load(Optional.empty(), env, Map.of()));
  }

  @Test
  void byDefaultCalmAccountsKeepPollIntervalAndUrgentOnesGetOneSecond() {
    ConfigReader reader = reader(Map.of());

    AdaptiveConfig config = AdaptiveConfig.from(reader);

    assertThat(reader.problems()).isEmpty();
    assertThat(config.enabled()).isTrue();
    assertThat(config.max()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.min()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.pushMinGap()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.headroom()).isEqualTo(0.1);
    assertThat(config.levels())
        .containsExactly(new BigDecimal("1.5"), new BigDecimal("1.2"), new BigDecimal("1.05"));
  }

  @Test
  void theMaximumIsPollIntervalUnlessSet() {
    assertThat(AdaptiveConfig.from(reader(Map.of("PMAS_POLL_INTERVAL", "20s"))).max())
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(
            AdaptiveConfig.from(
                    reader(Map.of("PMAS_POLL_INTERVAL", "20s", "PMAS_POLL_INTERVAL_MAX", "1m")))
                .max())
        .isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void aPollIntervalBelowOneSecondIsAlsoTheMinimum() {
    AdaptiveConfig config = AdaptiveConfig.from(reader(Map.of("PMAS_POLL_INTERVAL", "100ms")));

    assertThat(config.min()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.max()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void followsTheDerivationsLevels() {
    AdaptiveConfig config = AdaptiveConfig.from(reader(Map.of("PMAS_DERIVE_LEVELS", "2,1.1")));

    assertThat(config.levels()).containsExactly(new BigDecimal("2"), new BigDecimal("1.1"));
  }

  @Test
  void aValidConfigurationIsFullyFilled() {
    AdaptiveConfig config =
        AdaptiveConfig.from(
            reader(
                Map.of(
                    "PMAS_POLL_ADAPTIVE", "false",
                    "PMAS_POLL_INTERVAL_MIN", "2s",
                    "PMAS_POLL_INTERVAL_MAX", "30s",
                    "PMAS_POLL_PUSH_MIN_GAP", "0s",
                    "PMAS_POLL_ADAPTIVE_HEADROOM", "0.25",
                    "PMAS_DERIVE_LEVELS", "1.3")));

    assertThat(config)
        .isEqualTo(
            new AdaptiveConfig(
                false,
                Duration.ofSeconds(2),
                Duration.ofSeconds(30),
                Duration.ZERO,
                0.25,
                List.of(new BigDecimal("1.3"))));
  }

  @Test
  void reportsAMinimumLongerThanTheMaximumAndEveryOtherProblemAtOnce() {
    ConfigReader reader =
        reader(
            Map.of(
                "PMAS_POLL_INTERVAL_MIN", "10s",
                "PMAS_POLL_INTERVAL_MAX", "2s",
                "PMAS_POLL_ADAPTIVE_HEADROOM", "1.5",
                "PMAS_POLL_PUSH_MIN_GAP", "-1s"));

    assertThatThrownBy(() -> AdaptiveConfig.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.problems()).isEqualTo(reader.problems()));

    assertThat(reader.problems())
        .hasSize(3)
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "poll.interval.max (PT2S) must not be shorter than poll.interval.min"
                            + " (PT10S)"))
        .anySatisfy(p -> assertThat(p).contains("poll.adaptive.headroom"))
        .anySatisfy(p -> assertThat(p).contains("poll.push.min.gap"));
  }

  @Test
  void everyInvalidFieldIsNamedInOneConfigExceptionInsteadOfAZeroOrNull() {
    ConfigReader reader =
        reader(
            Map.of(
                "PMAS_POLL_ADAPTIVE", "maybe",
                "PMAS_POLL_INTERVAL", "5",
                "PMAS_POLL_INTERVAL_MIN", "1ms",
                "PMAS_DERIVE_LEVELS", "0"));

    assertThatThrownBy(() -> AdaptiveConfig.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(4)
                    .anySatisfy(p -> assertThat(p).startsWith("poll.adaptive = 'maybe'"))
                    .anySatisfy(p -> assertThat(p).startsWith("poll.interval = '5'"))
                    .anySatisfy(p -> assertThat(p).startsWith("poll.interval.min = '1ms'"))
                    .anySatisfy(p -> assertThat(p).startsWith("derive.levels = '0'")));
  }

  @Test
  void aBadPollIntervalThatThePollerConfigReportsIsListedOnce() {
    ConfigReader reader = reader(Map.of("PMAS_POLL_INTERVAL", "soon"));

    reader.component(PollerConfig::from);
    reader.component(AdaptiveConfig::from);

    assertThatThrownBy(reader::throwIfProblems)
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.problems()).singleElement().asString().startsWith("poll.interval"));
  }

  /** The poller and the derivation read derive.levels with one declaration and one rule. */
  @ParameterizedTest
  @ValueSource(strings = {"1.5,1.5", "1.2,1.20", "1.123456789", "-1", "0", "1e30"})
  void refusesTheLevelsTheDerivationRefuses(String levels) {
    Map<String, String> env = Map.of("PMAS_DERIVE_LEVELS", levels);

    assertThatThrownBy(() -> AdaptiveConfig.from(reader(env)))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("derive.levels = '" + levels + "'"));
    assertThatThrownBy(() -> DerivationConfig.from(reader(env)))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void refusesMoreLevelsThanTheDerivationKeeps() {
    String levels =
        IntStream.rangeClosed(1, DerivationConfig.MAX_LEVELS + 1)
            .mapToObj(i -> "1." + i)
            .collect(Collectors.joining(","));

    assertThatThrownBy(() -> AdaptiveConfig.from(reader(Map.of("PMAS_DERIVE_LEVELS", levels))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("derive.levels");
  }
}
