package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdaptiveConfigTest {

  private static ConfigReader reader(Map<String, String> env) {
    return new ConfigReader(Settings.load(Optional.empty(), env, Map.of()));
  }

  @Test
  void byDefaultCalmAccountsKeepPollIntervalAndUrgentOnesGetOneSecond() {
    ConfigReader reader = reader(Map.of());

    AdaptiveConfig config = AdaptiveConfig.from(reader, Duration.ofSeconds(5));

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
  void aPollIntervalBelowOneSecondIsAlsoTheMinimum() {
    AdaptiveConfig config = AdaptiveConfig.from(reader(Map.of()), Duration.ofMillis(100));

    assertThat(config.min()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.max()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void followsTheDerivationsLevels() {
    AdaptiveConfig config =
        AdaptiveConfig.from(reader(Map.of("PMAS_DERIVE_LEVELS", "2,1.1")), Duration.ofSeconds(5));

    assertThat(config.levels()).containsExactly(new BigDecimal("2"), new BigDecimal("1.1"));
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

    AdaptiveConfig.from(reader, Duration.ofSeconds(5));

    assertThat(reader.problems())
        .hasSize(3)
        .anySatisfy(p -> assertThat(p).contains("poll.interval.min (PT10S) must not be longer"))
        .anySatisfy(p -> assertThat(p).contains("poll.adaptive.headroom"))
        .anySatisfy(p -> assertThat(p).contains("poll.push.min.gap"));
  }
}
