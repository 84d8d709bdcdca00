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
    intervals.onShortened(shortened::add);
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
  void aTightBudgetGoesToTheMostUrgentAccount() {
    // 3 accounts at 10 s cost 0.3 polls/s; 1.25 polls/s leaves 0.95: enough for one at 1 s
    budget.set(1.25);
    intervals.add(List.of("alice", "bob", "carol"));

    intervals.observe(TestSnapshots.of("carol").uniMmr("3").at(1)); // calm
    intervals.observe(TestSnapshots.of("bob").uniMmr("1.30").at(1)); // 8.3 % from 1.2
    intervals.observe(
        TestSnapshots.of("alice").uniMmr("1.35").status(AccountStatus.MARGIN_CALL).at(1));

    assertThat(intervals.intervalOf("alice")).isEqualTo(MIN);
    // bob wishes 3.25 s (band 2): the 0.05 polls/s left shorten his 10 s a little, no more
    assertThat(intervals.intervalOf("bob")).isGreaterThan(Duration.ofMillis(3250)).isLessThan(MAX);
    assertThat(intervals.intervalOf("carol")).isEqualTo(MAX);
  }

  @Test
  void amongUrgentAccountsTheNearestToALevelIsServedFirst() {
    budget.set(1.1);
    intervals.add(List.of("alice", "bob"));

    // both band 0: alice is not NORMAL but far from every level, bob is 1.7 % from 1.2
    intervals.observe(TestSnapshots.of("bob").uniMmr("1.22").at(1));
    intervals.observe(
        TestSnapshots.of("alice").uniMmr("3").status(AccountStatus.MARGIN_CALL).at(1));

    assertThat(intervals.intervalOf("bob")).isEqualTo(MIN);
    assertThat(intervals.intervalOf("alice")).isEqualTo(MAX);
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
