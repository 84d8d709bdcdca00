package io.pmaccountstream.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.Secret;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccountPathTest {

  private static final StatusThresholds THRESHOLDS = StatusThresholds.defaults();
  private static final Credentials CREDENTIALS = Credentials.hmac("key", Secret.of("secret"));

  @Test
  void sameSeedGivesTheSamePathWhateverTimesAreAsked() {
    AccountSpec spec = BuiltInScenarios.create("many", 1, 7, KeyType.HMAC).accounts().get(0);
    AccountPath everySecond = new AccountPath(spec, THRESHOLDS, 7);
    AccountPath sparse = new AccountPath(spec, THRESHOLDS, 7);

    for (long t = 0; t <= 600_000; t += 1_000) {
      everySecond.advanceTo(t);
      if (t % 60_000 == 0) {
        sparse.advanceTo(t);
        assertThat(sparse.values()).as("at %d ms", t).isEqualTo(everySecond.values());
        assertThat(sparse.lastUpdateAt()).isEqualTo(everySecond.lastUpdateAt());
      }
    }
  }

  @Test
  void differentSeedsGiveDifferentPaths() {
    AccountSpec spec = BuiltInScenarios.create("many", 1, 7, KeyType.HMAC).accounts().get(0);
    AccountPath one = new AccountPath(spec, THRESHOLDS, 1);
    AccountPath two = new AccountPath(spec, THRESHOLDS, 2);

    one.advanceTo(60_000);
    two.advanceTo(60_000);

    assertThat(one.values().uniMmr()).isNotEqualTo(two.values().uniMmr());
  }

  @Test
  void stepsSetValuesAtTheirTimeAndStatusFollowsThresholds() {
    AccountSpec spec =
        AccountSpec.builder("a", CREDENTIALS)
            .uniMmr("2")
            .accountMaintMargin("1000")
            .then(Segment.Step.uniMmr(Duration.ofSeconds(10), "1.4"))
            .then(Segment.Step.uniMmr(Duration.ofSeconds(20), "1.1"))
            .then(Segment.Step.uniMmr(Duration.ofSeconds(30), "1.04"))
            .build();
    AccountPath path = new AccountPath(spec, THRESHOLDS, 1);

    assertThat(statusAndUniMmr(path, 9_999)).isEqualTo("NORMAL 2.00000000");
    assertThat(statusAndUniMmr(path, 10_000)).isEqualTo("MARGIN_CALL 1.40000000");
    assertThat(statusAndUniMmr(path, 20_000)).isEqualTo("REDUCE_ONLY 1.10000000");
    assertThat(statusAndUniMmr(path, 30_000)).isEqualTo("FORCE_LIQUIDATION 1.04000000");
    assertThat(path.values().accountEquity()).isEqualByComparingTo("1040");
  }

  @Test
  void explicitStatusHoldsUntilTheNextSegment() {
    AccountSpec spec =
        AccountSpec.builder("a", CREDENTIALS)
            .uniMmr("2")
            .then(Segment.Step.uniMmr(Duration.ofSeconds(10), "1.9").withStatus("SUPPLY_MARGIN"))
            .then(Segment.Step.uniMmr(Duration.ofSeconds(20), "1.8"))
            .build();
    AccountPath path = new AccountPath(spec, THRESHOLDS, 1);

    assertThat(statusAndUniMmr(path, 15_000)).isEqualTo("SUPPLY_MARGIN 1.90000000");
    assertThat(statusAndUniMmr(path, 20_000)).isEqualTo("NORMAL 1.80000000");
  }

  @Test
  void updateTimeMovesOnlyWhenAValueChanges() {
    AccountSpec spec =
        AccountSpec.builder("a", CREDENTIALS)
            .uniMmr("2")
            .then(Segment.Step.uniMmr(Duration.ofSeconds(10), "2"))
            .then(Segment.Step.uniMmr(Duration.ofSeconds(20), "1.9"))
            .build();
    AccountPath path = new AccountPath(spec, THRESHOLDS, 1);

    assertThat(path.advanceTo(15_000)).isFalse();
    assertThat(path.lastUpdateAt()).isZero();
    assertThat(path.advanceTo(25_000)).isTrue();
    assertThat(path.lastUpdateAt()).isEqualTo(20_000);
    assertThat(path.changeCount()).isEqualTo(1);
  }

  @Test
  void onStatusChangeModeKeepsUpdateTimeWhileOnlyUniMmrMoves() {
    AccountSpec spec =
        AccountSpec.builder("a", CREDENTIALS)
            .uniMmr("2")
            .updateTimeMode(UpdateTimeMode.ON_STATUS_CHANGE)
            .then(Segment.Step.uniMmr(Duration.ofSeconds(10), "1.9"))
            .then(Segment.Step.uniMmr(Duration.ofSeconds(20), "1.4"))
            .build();
    AccountPath path = new AccountPath(spec, THRESHOLDS, 1);

    path.advanceTo(15_000);
    assertThat(path.values().uniMmr()).isEqualByComparingTo("1.9");
    assertThat(path.lastUpdateAt()).isZero();
    path.advanceTo(25_000);
    assertThat(path.lastUpdateAt()).isEqualTo(20_000);
  }

  @Test
  void repeatStartsThePathOverFromTheInitialValues() {
    AccountSpec spec =
        AccountSpec.builder("a", CREDENTIALS)
            .uniMmr("2")
            .repeat(Duration.ofMinutes(1))
            .then(Segment.Step.uniMmr(Duration.ofSeconds(30), "1.3"))
            .build();
    AccountPath path = new AccountPath(spec, THRESHOLDS, 1);

    assertThat(statusAndUniMmr(path, 45_000)).isEqualTo("MARGIN_CALL 1.30000000");
    assertThat(statusAndUniMmr(path, 60_000)).isEqualTo("NORMAL 2.00000000");
    assertThat(statusAndUniMmr(path, 95_000)).isEqualTo("MARGIN_CALL 1.30000000");
    assertThat(path.lastUpdateAt()).isEqualTo(90_000);
  }

  @Test
  void walkWithATargetEndsNearItAndStaysWithinBounds() {
    AccountSpec spec =
        AccountSpec.builder("a", CREDENTIALS)
            .uniMmr("2")
            .then(
                Segment.Walk.towards(
                    Duration.ZERO, "1.3", "0.002", Duration.ofSeconds(1), "1.25", "2.1"))
            .then(Segment.Step.uniMmr(Duration.ofMinutes(10), "3"))
            .build();
    AccountPath path = new AccountPath(spec, THRESHOLDS, 3);
    List<BigDecimal> seen = new ArrayList<>();
    for (long t = 0; t < 600_000; t += 1_000) {
      path.advanceTo(t);
      seen.add(path.values().uniMmr());
    }

    assertThat(seen)
        .allSatisfy(u -> assertThat(u).isBetween(new BigDecimal("1.25"), new BigDecimal("2.1")));
    assertThat(seen.get(seen.size() - 1))
        .isCloseTo(
            new BigDecimal("1.3"), org.assertj.core.data.Offset.offset(new BigDecimal("0.1")));
  }

  @Test
  void askingForAnEarlierTimeKeepsTheCurrentValues() {
    AccountSpec spec =
        AccountSpec.builder("a", CREDENTIALS)
            .uniMmr("2")
            .then(Segment.Step.uniMmr(Duration.ofSeconds(10), "1.4"))
            .build();
    AccountPath path = new AccountPath(spec, THRESHOLDS, 1);
    path.advanceTo(20_000);

    assertThat(path.advanceTo(5_000)).isFalse();
    assertThat(path.values().uniMmr()).isEqualByComparingTo("1.4");
  }

  @Test
  void equityStepDerivesUniMmrAndMarginStepKeepsIt() {
    AccountSpec spec =
        AccountSpec.builder("a", CREDENTIALS)
            .uniMmr("2")
            .accountMaintMargin("1000")
            .then(
                new Segment.Step(
                    Duration.ofSeconds(1),
                    Optional.empty(),
                    Optional.of(new BigDecimal("1234.5")),
                    Optional.empty(),
                    Optional.empty()))
            .then(
                new Segment.Step(
                    Duration.ofSeconds(2),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(new BigDecimal("2000")),
                    Optional.empty()))
            .build();
    AccountPath path = new AccountPath(spec, THRESHOLDS, 1);

    path.advanceTo(1_000);
    assertThat(path.values().uniMmr()).isEqualByComparingTo("1.2345");
    path.advanceTo(2_000);
    assertThat(path.values().uniMmr()).isEqualByComparingTo("1.2345");
    assertThat(path.values().accountEquity()).isEqualByComparingTo("2469");
  }

  private static String statusAndUniMmr(AccountPath path, long t) {
    path.advanceTo(t);
    return path.values().status() + " " + path.values().uniMmr().toPlainString();
  }
}
