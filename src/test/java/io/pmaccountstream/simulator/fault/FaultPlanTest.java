package io.pmaccountstream.simulator.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FaultPlanTest {

  private static final FaultConfig MIXED =
      FaultConfig.none()
          .withServerErrorRate(0.2)
          .withRate(Fault.CONNECTION_RESET, 0.1)
          .withRate(Fault.EMPTY_NUMBER, 0.1)
          .withLatency(LatencyModel.fixed(Duration.ofMillis(5), Duration.ofMillis(10)));

  @Test
  void theNthRequestOfAnAccountGetsTheSameDecisionForTheSameSeed() {
    FaultPlan one = new FaultPlan(MIXED, 42);
    FaultPlan two = new FaultPlan(MIXED, 42);
    List<FaultPlan.Decision> first = new ArrayList<>();
    List<FaultPlan.Decision> second = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      first.add(one.decide("a"));
      two.decide("b"); // another account's requests interleave differently
      second.add(two.decide("a"));
    }

    assertThat(second).isEqualTo(first);
    assertThat(new FaultPlan(MIXED, 43).decide("a"))
        .isNotEqualTo(new FaultPlan(MIXED, 42).decide("a"));
  }

  @Test
  void faultsOccurAtTheirConfiguredRates() {
    FaultPlan plan = new FaultPlan(MIXED, 7);
    Map<Fault, Integer> counts = new EnumMap<>(Fault.class);
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      plan.decide("a").fault().ifPresent(f -> counts.merge(f, 1, Integer::sum));
    }

    assertThat(counts.get(Fault.SERVER_ERROR_500) / (double) n).isBetween(0.09, 0.11);
    assertThat(counts.get(Fault.SERVER_ERROR_503) / (double) n).isBetween(0.09, 0.11);
    assertThat(counts.get(Fault.CONNECTION_RESET) / (double) n).isBetween(0.09, 0.11);
    assertThat(counts.get(Fault.EMPTY_NUMBER) / (double) n).isBetween(0.09, 0.11);
    assertThat(counts).doesNotContainKey(Fault.HTML_PAGE);
  }

  @Test
  void fixedLatencyStaysWithinBaseAndJitter() {
    FaultPlan plan = new FaultPlan(MIXED, 7);
    for (int i = 0; i < 1_000; i++) {
      assertThat(plan.decide("a").latency()).isBetween(Duration.ofMillis(5), Duration.ofMillis(15));
    }
  }

  @Test
  void lognormalLatencyHasTheConfiguredMedian() {
    LatencyModel model = LatencyModel.lognormal(Duration.ofMillis(40), 0.8);
    SplittableRandom random = new SplittableRandom(1);
    List<Long> samples = new ArrayList<>();
    for (int i = 0; i < 10_001; i++) {
      samples.add(model.sample(random).toNanos());
    }
    samples.sort(Long::compare);

    assertThat(Duration.ofNanos(samples.get(5_000)).toMillis()).isBetween(37L, 43L);
    assertThat(samples.get(samples.size() - 1)).isLessThanOrEqualTo(LatencyModel.MAX.toNanos());
  }

  @Test
  void noFaultsAndNoLatencyByDefault() {
    FaultPlan.Decision decision = new FaultPlan(FaultConfig.none(), 1).decide("a");

    assertThat(decision.fault()).isEmpty();
    assertThat(decision.latency()).isZero();
  }

  @Test
  void ratesMustAddUpToAtMostOne() {
    assertThatThrownBy(
            () ->
                FaultConfig.none()
                    .withRate(Fault.CONNECTION_RESET, 0.6)
                    .withRate(Fault.HTML_PAGE, 0.5))
        .hasMessageContaining("more than 1");
  }
}
