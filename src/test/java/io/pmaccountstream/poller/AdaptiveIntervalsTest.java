package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.testing.TestSnapshots;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AdaptiveIntervalsTest {

  private static final Duration MIN = Duration.ofSeconds(1);
  private static final Duration MAX = Duration.ofSeconds(10);

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicReference<Double> budget = new AtomicReference<>(100.0);
  private final List<Set<String>> shortened = new CopyOnWriteArrayList<>();
  private final AdaptiveIntervals intervals =
      new AdaptiveIntervals(
          new RiskAdaptivePolicy(
              List.of(new BigDecimal("1.5"), new BigDecimal("1.2"), new BigDecimal("1.05")),
              MIN,
              MAX),
          budget::get,
          meters);

  {
    intervals.onChanged(shortened::add);
  }

  @Test
  void anAccountIsCalmUntilASnapshotShowsItNearALevel() {
    intervals.add(List.of("alice", "bob"));
    assertThat(intervals.intervalOf("alice")).isEqualTo(MAX);

    intervals.observe(TestSnapshots.of("alice").uniMmr("1.21").at(1));

    assertThat(intervals.intervalOf("alice")).isEqualTo(MIN);
    assertThat(intervals.intervalOf("bob")).isEqualTo(MAX);
    assertThat(shortened).containsExactly(Set.of("alice"));
    assertThat(meters.get("pmas.poll.interval").tag("account", "alice").gauge().value())
        .isEqualTo(1.0);
    assertThat(meters.get("pmas.poll.interval.band").tag("account", "alice").gauge().value())
        .isEqualTo(0.0);
  }

  @Test
  void aTightBudgetIsSharedAlikeByTheMostUrgentAccounts() {
    // carol calm at 10 s costs 0.1 polls/s; the 0.8 left are shared by alice and bob: 2.5 s each
    budget.set(0.9);
    intervals.add(List.of("alice", "bob", "carol"));

    intervals.observe(TestSnapshots.of("carol").uniMmr("3").at(1)); // calm
    intervals.observe(TestSnapshots.of("bob").uniMmr("1.30").at(1)); // 8.3 % from 1.2: 1.778 s
    intervals.observe(
        TestSnapshots.of("alice").uniMmr("1.35").status(AccountStatus.MARGIN_CALL).at(1));

    assertThat(intervals.intervalOf("alice")).isEqualTo(Duration.ofMillis(2500));
    assertThat(intervals.intervalOf("bob")).isEqualTo(Duration.ofMillis(2500));
    assertThat(intervals.intervalOf("carol")).isEqualTo(MAX);
  }

  @Test
  void theNearestToALevelPollsMostOften() {
    // alice (margin call, far from every level) wishes 1.778 s, bob (1.7 % from 1.2) 1 s; the
    // budget pays for alice's wish and gives bob what is left
    budget.set(1.3);
    intervals.add(List.of("alice", "bob"));

    intervals.observe(TestSnapshots.of("bob").uniMmr("1.22").at(1));
    intervals.observe(
        TestSnapshots.of("alice").uniMmr("3").status(AccountStatus.MARGIN_CALL).at(1));

    assertThat(intervals.intervalOf("alice")).isEqualTo(Duration.ofMillis(1778));
    assertThat(intervals.intervalOf("bob"))
        .isGreaterThan(MIN)
        .isLessThan(Duration.ofMillis(1778))
        .isEqualTo(Duration.ofNanos(1_355_803_000));
  }

  @Test
  void aBudgetThatMovedIsSharedAgainAtTheNextSnapshotEvenWithTheSameWishes() {
    intervals.add(List.of("alice", "bob"));
    intervals.observe(TestSnapshots.of("alice").uniMmr("1.21").at(1));
    assertThat(intervals.intervalOf("alice")).isEqualTo(MIN);

    // pushes took more of the minute: 0.5 polls/s left for both
    budget.set(0.5);
    intervals.observe(TestSnapshots.of("alice").uniMmr("1.21").at(2));

    assertThat(intervals.intervalOf("alice")).isEqualTo(Duration.ofMillis(2500));
    assertThat(intervals.intervalOf("bob")).isEqualTo(MAX);
  }

  @Test
  void snapshotsOfAccountsNotPolledHereAreIgnored() {
    intervals.add(List.of("alice"));
    intervals.remove(List.of("alice"));

    intervals.observe(TestSnapshots.of("alice").uniMmr("1.2").at(1));

    assertThat(intervals.intervalOf("alice")).isEqualTo(MAX);
    assertThat(shortened).isEmpty();
  }
}
