package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.poller.RiskAdaptivePolicy.Wish;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RiskAdaptivePolicyTest {

  private static final List<BigDecimal> LEVELS =
      List.of(new BigDecimal("1.5"), new BigDecimal("1.2"), new BigDecimal("1.05"));

  private final RiskAdaptivePolicy policy =
      new RiskAdaptivePolicy(LEVELS, Duration.ofSeconds(1), Duration.ofSeconds(11));

  /** The table of docs/push.md, row by row, with min 1 s and max 11 s (f × 10 s + 1 s). */
  @ParameterizedTest(name = "uniMMR {0}: band {1}, {2} ms")
  @CsvSource({
    // distance < 2 %
    "1.51, 0, 1000",
    "1.2, 0, 1000",
    "1.0300, 0, 1000",
    "1.0290, 1, 2000",
    // 2 % ≤ d < 5 %: 1.2 × 1.02 = 1.224 starts the band
    "1.224, 1, 2000",
    "1.25, 1, 2000",
    "1.1, 1, 2000",
    // 5 % ≤ d < 10 %
    "1.26, 2, 3500",
    "1.4, 2, 3500",
    // 10 % ≤ d < 20 %
    "1.7, 3, 6000",
    "0.9, 3, 6000",
    // d ≥ 20 %
    "1.8, 4, 11000",
    "5, 4, 11000",
    "0.5, 4, 11000"
  })
  void theIntervalFollowsTheDistanceToTheNearestLevel(String uniMmr, int band, long millis) {
    Wish wish = policy.wish("alice", Optional.of(new BigDecimal(uniMmr)), AccountStatus.NORMAL);

    assertThat(wish.band()).isEqualTo(band);
    assertThat(wish.interval()).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @CsvSource({"MARGIN_CALL", "SUPPLY_MARGIN", "REDUCE_ONLY", "FORCE_LIQUIDATION", "UNKNOWN"})
  void anyStatusOtherThanNormalIsUrgentWhateverTheUniMmr(AccountStatus status) {
    Wish wish = policy.wish("alice", Optional.of(new BigDecimal("9")), status);

    assertThat(wish.interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(wish)
        .isLessThan(policy.wish("bob", Optional.of(BigDecimal.ONE), AccountStatus.NORMAL));
  }

  @Test
  void anAccountWithoutUniMmrOrWithoutSnapshotIsCalm() {
    assertThat(policy.wish("alice", Optional.empty(), AccountStatus.NORMAL).interval())
        .isEqualTo(Duration.ofSeconds(11));
    assertThat(policy.unknown("alice").interval()).isEqualTo(Duration.ofSeconds(11));
  }

  @Test
  void amongAccountsNotNormalTheNearestToALevelGoesFirstNotTheFirstById() {
    Wish nearer =
        policy.wish("zed", Optional.of(new BigDecimal("1.19")), AccountStatus.MARGIN_CALL);
    Wish farther =
        policy.wish("abe", Optional.of(new BigDecimal("1.35")), AccountStatus.MARGIN_CALL);

    assertThat(nearer.band()).isZero();
    assertThat(farther.band()).isZero();
    assertThat(nearer).isLessThan(farther);
  }

  @Test
  void nearerIsMoreUrgentWithinABand() {
    Wish nearer = policy.wish("zed", Optional.of(new BigDecimal("1.201")), AccountStatus.NORMAL);
    Wish farther = policy.wish("abe", Optional.of(new BigDecimal("1.21")), AccountStatus.NORMAL);

    assertThat(nearer.band()).isEqualTo(farther.band());
    assertThat(nearer).isLessThan(farther);
  }

  @Test
  void equalMinAndMaxIsTheFixedInterval() {
    RiskAdaptivePolicy fixed =
        new RiskAdaptivePolicy(LEVELS, Duration.ofMillis(200), Duration.ofMillis(200));

    assertThat(fixed.wish("a", Optional.of(new BigDecimal("1.2")), AccountStatus.NORMAL).interval())
        .isEqualTo(Duration.ofMillis(200));
    assertThat(fixed.wish("a", Optional.of(new BigDecimal("3")), AccountStatus.NORMAL).interval())
        .isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void refusesAMinLongerThanTheMax() {
    assertThatThrownBy(
            () -> new RiskAdaptivePolicy(LEVELS, Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .hasMessageContaining("min PT5S is longer than max PT1S");
  }
}
