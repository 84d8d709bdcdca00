package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.Records.at;
import static io.pmaccountstream.replay.Records.dec;
import static io.pmaccountstream.replay.Records.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.derivation.Deriver;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BreachSummaryCollectorTest {

  private static final DerivationConfig CONFIG =
      new DerivationConfig(List.of(new BigDecimal("1.2"), new BigDecimal("1.05")), dec("0.02"));
  private static final TimeRange RANGE = new TimeRange(at(100), at(1_000));

  private final AccountFold fold = new AccountFold(new Deriver(CONFIG));
  private final AccountFold.States states = AccountFold.States.inMemory();
  private final BreachSummaryCollector collector = new BreachSummaryCollector(RANGE, CONFIG);

  /** As the replay does: derive everything, show the collector only the range. */
  private void feed(AccountSnapshot... snapshots) {
    for (AccountSnapshot s : snapshots) {
      AccountFold.Step step = fold.apply(s.getAccountId(), s, states, AccountFold.Events.none());
      assertThat(step).as("a plausible snapshot").isInstanceOf(AccountFold.Derived.class);
      AccountFold.Derived derived = (AccountFold.Derived) step;
      if (!s.getObservedAt().isBefore(RANGE.from())) {
        collector.observe(s, derived.previous(), derived.derivation());
      }
    }
  }

  @Test
  void countsBreachesTimeBelowAndLongestBreachPerLevel() {
    feed(
        snapshot("a", 0, "1.5", AccountStatus.NORMAL), // warm-up
        snapshot("a", 50, "1.1", AccountStatus.MARGIN_CALL), // warm-up: 1.2 breached
        snapshot("a", 100, "1.1", AccountStatus.MARGIN_CALL), // 1.2 carried in since --from
        snapshot("a", 200, "1.3", AccountStatus.NORMAL), // 1.2 recovers at 200.123
        snapshot("a", 300, "1.0", AccountStatus.REDUCE_ONLY), // 1.2 and 1.05 breached
        snapshot("a", 400, "1.06", AccountStatus.REDUCE_ONLY), // inside 1.05's hysteresis band
        snapshot("a", 500, "1.08", AccountStatus.MARGIN_CALL), // 1.05 recovers (>= 1.071)
        snapshot("a", 600, "1.1", AccountStatus.MARGIN_CALL)); // last snapshot, 1.2 still breached

    BreachSummary.Account a = collector.summary().accounts().get(0);

    BreachSummary.Level level12 = a.levels().get(0);
    assertThat(level12.level()).isEqualByComparingTo("1.2");
    assertThat(level12.breaches()).isEqualTo(2);
    // Carried in: --from (100) to 200.123; open: 300.123 to the last snapshot at 600.123.
    assertThat(level12.timeBelow()).isEqualTo(Duration.ofMillis(100_123 + 300_000));
    assertThat(level12.longestBreach()).isEqualTo(Duration.ofSeconds(300));
    assertThat(level12.breachedAtEnd()).isTrue();

    BreachSummary.Level level105 = a.levels().get(1);
    assertThat(level105.breaches()).isEqualTo(1);
    assertThat(level105.timeBelow()).isEqualTo(Duration.ofSeconds(200));
    assertThat(level105.longestBreach()).isEqualTo(Duration.ofSeconds(200));
    assertThat(level105.breachedAtEnd()).isFalse();
  }

  @Test
  void minUniMmrTransitionsAndSnapshotCountsIgnoreStaleSnapshots() {
    feed(
        snapshot("a", 0, "1.5", AccountStatus.NORMAL),
        snapshot("a", 150, "1.1", AccountStatus.MARGIN_CALL),
        snapshot("a", 300, "0.98", AccountStatus.REDUCE_ONLY),
        snapshot("a", 350, "0.98", AccountStatus.REDUCE_ONLY),
        snapshot("a", 100, 400, "0.5", AccountStatus.FORCE_LIQUIDATION), // stale: old updateTime
        snapshot("a", 500, "1.3", AccountStatus.NORMAL));

    BreachSummary.Account a = collector.summary().accounts().get(0);

    assertThat(a.snapshots()).isEqualTo(4);
    assertThat(a.staleSnapshots()).isEqualTo(1);
    assertThat(a.minUniMmr()).contains(dec("0.98"));
    assertThat(a.minUniMmrAt()).contains(at(300).plusMillis(123));
    assertThat(a.lastObservedAt()).contains(at(500).plusMillis(123));
    assertThat(a.transitionsTo())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                AccountStatus.MARGIN_CALL, 1,
                AccountStatus.REDUCE_ONLY, 1,
                AccountStatus.NORMAL, 1));
    assertThat(a.transitionsTo(AccountStatus.FORCE_LIQUIDATION)).isZero();
  }

  @Test
  void anAccountFirstSeenInTheRangeCountsItsInitialTransitionAndBreaches() {
    feed(
        snapshot("b", 150, "1.8", AccountStatus.NORMAL),
        snapshot("c", 160, "1.0", AccountStatus.REDUCE_ONLY));

    BreachSummary summary = collector.summary();

    assertThat(summary.accounts())
        .extracting(BreachSummary.Account::accountId)
        .containsExactly("b", "c");
    BreachSummary.Account b = summary.accounts().get(0);
    assertThat(b.transitionsTo(AccountStatus.NORMAL)).isEqualTo(1);
    assertThat(b.levels()).allSatisfy(l -> assertThat(l.breaches()).isZero());
    BreachSummary.Account c = summary.accounts().get(1);
    assertThat(c.levels())
        .allSatisfy(
            l -> {
              assertThat(l.breaches()).isEqualTo(1);
              assertThat(l.breachedAtEnd()).isTrue();
              assertThat(l.timeBelow()).isZero();
            });
  }

  @Test
  void aBreachThatStartsAndEndsBetweenTwoSnapshotsIsMeasuredBetweenThem() {
    feed(
        snapshot("a", 100, "1.5", AccountStatus.NORMAL),
        snapshot("a", 110, "1.1", AccountStatus.NORMAL),
        snapshot("a", 170, "1.5", AccountStatus.NORMAL),
        snapshot("a", 200, "1.1", AccountStatus.NORMAL),
        snapshot("a", 215, "1.5", AccountStatus.NORMAL));

    BreachSummary.Level level12 = collector.summary().accounts().get(0).levels().get(0);

    assertThat(level12.breaches()).isEqualTo(2);
    assertThat(level12.timeBelow()).isEqualTo(Duration.ofSeconds(75));
    assertThat(level12.longestBreach()).isEqualTo(Duration.ofSeconds(60));
    assertThat(level12.breachedAtEnd()).isFalse();
  }

  @Test
  void theSummaryCarriesTheRangeAndConfiguration() {
    BreachSummary summary = collector.summary();

    assertThat(summary.range()).isEqualTo(RANGE);
    assertThat(summary.levels()).containsExactly(dec("1.2"), dec("1.05"));
    assertThat(summary.hysteresis()).isEqualByComparingTo("0.02");
    assertThat(summary.accounts()).isEmpty();
  }
}
