package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.poller.RiskAdaptivePolicy.Wish;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** The budget allocation over random accounts, risks and budgets. */
class PollBudgetAllocationProperties {

  private static final List<BigDecimal> LEVELS =
      List.of(new BigDecimal("1.5"), new BigDecimal("1.2"), new BigDecimal("1.05"));
  private static final Duration MIN = Duration.ofSeconds(1);
  private static final Duration MAX = Duration.ofSeconds(5);
  private static final RiskAdaptivePolicy POLICY = new RiskAdaptivePolicy(LEVELS, MIN, MAX);

  @Provide
  Arbitrary<List<Wish>> wishes() {
    Arbitrary<BigDecimal> uniMmr =
        Arbitraries.bigDecimals().between(new BigDecimal("0.9"), new BigDecimal("3")).ofScale(4);
    Arbitrary<AccountStatus> status =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(8, Arbitraries.just(AccountStatus.NORMAL)),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(AccountStatus.class)));
    Arbitrary<Optional<BigDecimal>> maybe = uniMmr.optional(0.95);
    return Combinators.combine(maybe, status)
        .as((u, s) -> (java.util.function.Function<String, Wish>) a -> POLICY.wish(a, u, s))
        .list()
        .ofMinSize(1)
        .ofMaxSize(300)
        .map(
            makers -> {
              List<Wish> wishes = new ArrayList<>();
              for (int i = 0; i < makers.size(); i++) {
                wishes.add(makers.get(i).apply(String.format("acct-%03d", i)));
              }
              return wishes;
            });
  }

  @Property
  void noAccountWaitsLongerThanMaxNorIsPolledMoreOftenThanItWishes(
      @ForAll("wishes") List<Wish> wishes,
      @ForAll @DoubleRange(min = 0, max = 400) double pollsPerSecond) {
    Map<String, Duration> intervals = PollBudgetAllocation.allocate(wishes, pollsPerSecond, MAX);

    assertThat(intervals).hasSize(wishes.size());
    for (Wish wish : wishes) {
      assertThat(intervals.get(wish.account()))
          .as(wish.account())
          .isLessThanOrEqualTo(MAX)
          .isGreaterThanOrEqualTo(wish.interval());
    }
  }

  @Property
  void theBudgetIsNotExceededWhenItCanServeEveryAccountAtMax(
      @ForAll("wishes") List<Wish> wishes, @ForAll @DoubleRange(min = 0, max = 400) double extra) {
    double budget = wishes.size() / 5.0 + extra;

    Map<String, Duration> intervals = PollBudgetAllocation.allocate(wishes, budget, MAX);

    double rate = intervals.values().stream().mapToDouble(d -> 1e9 / d.toNanos()).sum();
    assertThat(rate).isLessThanOrEqualTo(budget + 1e-9);
  }

  @Property
  void anAccountNeverPollsLessOftenThanALessUrgentOne(
      @ForAll("wishes") List<Wish> wishes,
      @ForAll @DoubleRange(min = 0, max = 400) double pollsPerSecond) {
    Map<String, Duration> intervals = PollBudgetAllocation.allocate(wishes, pollsPerSecond, MAX);

    List<Wish> mostUrgentFirst = new ArrayList<>(wishes);
    mostUrgentFirst.sort(Comparator.comparing(Wish::interval));
    for (int i = 1; i < mostUrgentFirst.size(); i++) {
      Wish more = mostUrgentFirst.get(i - 1);
      Wish less = mostUrgentFirst.get(i);
      assertThat(intervals.get(more.account()))
          .as("%s (wishes %s) vs %s (wishes %s)", more, more.interval(), less, less.interval())
          .isLessThanOrEqualTo(intervals.get(less.account()));
    }
  }

  /**
   * A budget between every account at max and every wish: all of it is spent, the accounts short of
   * their wish all get one interval, and every account granted its wish wished no shorter.
   */
  @Property
  void aShortBudgetIsSpentAndWhatItLacksIsTakenFromTheMostUrgentAlike(
      @ForAll("wishes") List<Wish> wishes,
      @ForAll @DoubleRange(min = 0.01, max = 0.99) double share) {
    double floor = wishes.size() / seconds(MAX);
    double everyWish = wishes.stream().mapToDouble(w -> 1 / seconds(w.interval())).sum();
    net.jqwik.api.Assume.that(everyWish > floor * 1.0001);
    double budget = floor + share * (everyWish - floor);

    Map<String, Duration> intervals = PollBudgetAllocation.allocate(wishes, budget, MAX);

    double rate = intervals.values().stream().mapToDouble(d -> 1 / seconds(d)).sum();
    assertThat(rate).isLessThanOrEqualTo(budget + 1e-9).isGreaterThan(budget * (1 - 1e-4));
    List<Duration> shortOfWish =
        wishes.stream()
            .filter(w -> intervals.get(w.account()).compareTo(w.interval()) > 0)
            .map(w -> intervals.get(w.account()))
            .distinct()
            .toList();
    assertThat(shortOfWish).hasSize(1);
    for (Wish wish : wishes) {
      if (intervals.get(wish.account()).equals(wish.interval())) {
        assertThat(wish.interval()).isGreaterThanOrEqualTo(shortOfWish.get(0).minusNanos(1000));
      }
    }
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  @Property
  void anAmpleBudgetGrantsEveryWish(@ForAll("wishes") List<Wish> wishes) {
    double ample = wishes.stream().mapToDouble(w -> 1e9 / w.interval().toNanos()).sum();

    Map<String, Duration> intervals = PollBudgetAllocation.allocate(wishes, ample * 1.0001, MAX);

    for (Wish wish : wishes) {
      assertThat(intervals.get(wish.account())).isEqualTo(wish.interval());
    }
  }

  /** poll.adaptive=false, or min = max: every account at the one interval, whatever the budget. */
  @Property
  void equalMinAndMaxIsTodaysFixedInterval(
      @ForAll @IntRange(min = 1, max = 500) int accounts,
      @ForAll @DoubleRange(min = 0, max = 400) double pollsPerSecond,
      @ForAll @IntRange(min = 10, max = 60_000) int intervalMillis) {
    Duration interval = Duration.ofMillis(intervalMillis);
    RiskAdaptivePolicy fixed = new RiskAdaptivePolicy(LEVELS, interval, interval);
    List<Wish> wishes = new ArrayList<>();
    for (int i = 0; i < accounts; i++) {
      wishes.add(
          fixed.wish(
              "a" + i,
              Optional.of(new BigDecimal("1.2")),
              i % 2 == 0 ? AccountStatus.NORMAL : AccountStatus.MARGIN_CALL));
    }

    assertThat(PollBudgetAllocation.allocate(wishes, pollsPerSecond, interval).values())
        .containsOnly(interval);
  }
}
