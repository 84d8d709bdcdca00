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

  /**
   * The table of docs/push.md, row by row, with min 1 s and max 11 s: {@code 1 s × 11^f}, whole
   * milliseconds.
   */
  @ParameterizedTest(name = "uniMMR {0}: band {1}, {2} ms")
  @CsvSource({
    // distance < 2 %
    "1.51, 0, 1000",
    "1.2, 0, 1000",
    "1.0300, 0, 1000",
    "1.0290, 1, 1271",
    // 2 % ≤ d < 5 %: 1.2 × 1.02 = 1.224 starts the band
    "1.224, 1, 1271",
    "1.25, 1, 1271",
    "1.1, 1, 1271",
    // 5 % ≤ d < 10 %
    "1.26, 2, 1821",
    "1.4, 2, 1821",
    // 10 % ≤ d < 20 %
    "1.7, 3, 3317",
    "0.9, 3, 3317",
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

  @Test
  void everyBandPollsAFixedFactorLessOftenThanTheOneBeforeWhateverTheSpan() {
    RiskAdaptivePolicy wide =
        new RiskAdaptivePolicy(LEVELS, Duration.ofSeconds(1), Duration.ofSeconds(60));

    // 5 % to 10 % from a level: 60^0.25 s, not a quarter of the way to 60 s (15.75 s)
    assertThat(wide.wish("a", Optional.of(new BigDecimal("1.27")), AccountStatus.NORMAL))
        .isEqualTo(new Wish("a", Duration.ofMillis(2783), 2));
    assertThat(wide.wish("a", Optional.of(new BigDecimal("1.25")), AccountStatus.NORMAL))
        .isEqualTo(new Wish("a", Duration.ofMillis(1506), 1));
    assertThat(wide.wish("a", Optional.of(new BigDecimal("1.7")), AccountStatus.NORMAL))
        .isEqualTo(new Wish("a", Duration.ofMillis(7746), 3));
  }

  @ParameterizedTest
  @CsvSource({"ACTIVE_LIQUIDATION", "FORCE_LIQUIDATION", "BANKRUPTED", "UNKNOWN"})
  void anAccountInLiquidationOrInAStatusWeDoNotKnowIsUrgentWhateverTheUniMmr(AccountStatus status) {
    Wish wish = policy.wish("alice", Optional.of(new BigDecimal("9")), status);

    assertThat(wish).isEqualTo(new Wish("alice", Duration.ofSeconds(1), 0));
    assertThat(policy.wish("alice", Optional.empty(), status).band()).isZero();
  }

  @ParameterizedTest
  @CsvSource({"MARGIN_CALL", "SUPPLY_MARGIN", "REDUCE_ONLY"})
  void anAccountInAMarginCallIsNeverCalmerThanBandTwoAndNearerWhenItsDistanceSaysSo(
      AccountStatus status) {
    assertThat(policy.wish("alice", Optional.of(new BigDecimal("9")), status))
        .isEqualTo(new Wish("alice", Duration.ofMillis(1821), 2));
    assertThat(policy.wish("alice", Optional.empty(), status).band()).isEqualTo(2);
    assertThat(policy.wish("alice", Optional.of(new BigDecimal("1.35")), status).band())
        .as("12.5 % from 1.2: band 3 if NORMAL")
        .isEqualTo(2);
    assertThat(policy.wish("alice", Optional.of(new BigDecimal("1.19")), status))
        .isEqualTo(new Wish("alice", Duration.ofSeconds(1), 0));
  }

  @Test
  void anAccountWithoutUniMmrOrWithoutSnapshotIsCalm() {
    assertThat(policy.wish("alice", Optional.empty(), AccountStatus.NORMAL).interval())
        .isEqualTo(Duration.ofSeconds(11));
    assertThat(policy.unknown("alice").interval()).isEqualTo(Duration.ofSeconds(11));
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
