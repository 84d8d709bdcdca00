package io.pmaccountstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.derivation.Deriver;
import io.pmaccountstream.testing.HistoryChecker.Logged;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The history checker on hand-made logs: equal passes; a duplicate, a gap, a reorder are caught.
 */
class HistoryCheckerTest {

  private static final DerivationConfig CONFIG = DerivationConfig.defaults();

  private final List<Logged<AccountSnapshot>> snapshots = snapshots();

  @Test
  void theDerivationOfTheLogItselfIsEqual() {
    HistoryChecker.Result result = HistoryChecker.check(snapshots, derive(snapshots), CONFIG);

    assertThat(result.equal()).as(result.describe()).isTrue();
    assertThat(result.expectedEvents()).isEqualTo(result.actualEvents()).isGreaterThan(8);
  }

  @Test
  void catchesADuplicate() {
    List<Logged<? extends SpecificRecord>> events = new ArrayList<>(derive(snapshots));
    Logged<? extends SpecificRecord> twice = events.get(3);
    events.add(new Logged<>(twice.partition(), 10_000, twice.key(), twice.value()));

    HistoryChecker.Result result = HistoryChecker.check(snapshots, events, CONFIG);

    assertThat(result.equal()).isFalse();
    assertThat(result.duplicates()).isEqualTo(1);
    assertThat(result.duplicateIds()).containsExactly(eventId(twice.value()));
    assertThat(result.missing()).isZero();
  }

  @Test
  void catchesAGap() {
    List<Logged<? extends SpecificRecord>> events = new ArrayList<>(derive(snapshots));
    Logged<? extends SpecificRecord> lost = events.remove(2);

    HistoryChecker.Result result = HistoryChecker.check(snapshots, events, CONFIG);

    assertThat(result.equal()).isFalse();
    assertThat(result.missing()).isEqualTo(1);
    assertThat(result.missingIds()).containsExactly(eventId(lost.value()));
    assertThat(result.duplicates()).isZero();
  }

  @Test
  void catchesAReorderWithinAnAccount() {
    List<Logged<? extends SpecificRecord>> events = new ArrayList<>(derive(snapshots));
    int first = -1;
    int second = -1;
    for (int i = 0; i < events.size() && second < 0; i++) {
      if (events.get(i).key().equals("alice") && isLevel(events.get(i))) {
        if (first < 0) {
          first = i;
        } else {
          second = i;
        }
      }
    }
    Logged<? extends SpecificRecord> a = events.get(first);
    Logged<? extends SpecificRecord> b = events.get(second);
    events.set(first, new Logged<>(a.partition(), a.offset(), a.key(), b.value()));
    events.set(second, new Logged<>(b.partition(), b.offset(), b.key(), a.value()));

    HistoryChecker.Result result = HistoryChecker.check(snapshots, events, CONFIG);

    assertThat(result.equal()).isFalse();
    assertThat(result.accountsOutOfOrder()).isEqualTo(1);
    assertThat(result.outOfOrderAccounts()).containsExactly("alice UniMmrLevelEvent");
    assertThat(result.missing()).isZero();
    assertThat(result.duplicates()).isZero();
  }

  @Test
  void catchesAnEventNoSnapshotExplains() {
    List<Logged<? extends SpecificRecord>> events = new ArrayList<>(derive(snapshots));
    List<Logged<AccountSnapshot>> fewer = new ArrayList<>(snapshots);
    fewer.remove(fewer.size() - 1);
    fewer.remove(fewer.size() - 1);

    HistoryChecker.Result result = HistoryChecker.check(fewer, events, CONFIG);

    assertThat(result.equal()).isFalse();
    assertThat(result.unexpected()).isPositive();
  }

  @Test
  void readsTheSnapshotLogInPartitionAndOffsetOrderWhateverOrderItIsGiven() {
    List<Logged<AccountSnapshot>> shuffled = new ArrayList<>(snapshots);
    java.util.Collections.reverse(shuffled);

    assertThat(HistoryChecker.check(shuffled, derive(snapshots), CONFIG).equal()).isTrue();
  }

  private static boolean isLevel(Logged<? extends SpecificRecord> event) {
    return event.value().getSchema().getName().equals("UniMmrLevelEvent");
  }

  private static String eventId(SpecificRecord record) {
    return String.valueOf(record.get(record.getSchema().getField("eventId").pos()));
  }

  /** Two accounts on two partitions, each crossing levels and statuses both ways. */
  private static List<Logged<AccountSnapshot>> snapshots() {
    String[][] paths = {
      {"1.60", "1.45", "1.15", "1.00", "1.10", "1.30", "1.60"},
      {"2.00", "1.40", "1.55", "1.19", "1.60"}
    };
    String[] accounts = {"alice", "bob"};
    List<Logged<AccountSnapshot>> log = new ArrayList<>();
    for (int a = 0; a < accounts.length; a++) {
      for (int i = 0; i < paths[a].length; i++) {
        double u = Double.parseDouble(paths[a][i]);
        AccountStatus status =
            u < 1.05
                ? AccountStatus.FORCE_LIQUIDATION
                : u < 1.2
                    ? AccountStatus.REDUCE_ONLY
                    : u < 1.5 ? AccountStatus.MARGIN_CALL : AccountStatus.NORMAL;
        log.add(
            new Logged<>(
                a,
                i,
                accounts[a],
                TestSnapshots.of(accounts[a])
                    .uniMmr(paths[a][i])
                    .status(status)
                    .updatedAt(i)
                    .sequence(i + 1)
                    .at(i)));
      }
    }
    return log;
  }

  /** What a correct derive writes: the plain derivation, transitions and levels on their topics. */
  private static List<Logged<? extends SpecificRecord>> derive(List<Logged<AccountSnapshot>> log) {
    AccountFold fold = new AccountFold(new Deriver(CONFIG));
    AccountFold.States states = AccountFold.States.inMemory();
    Map<String, Long> offsets = new HashMap<>();
    List<Logged<? extends SpecificRecord>> out = new ArrayList<>();
    for (Logged<AccountSnapshot> record : log) {
      fold.apply(
          record.key(),
          record.value(),
          states,
          new AccountFold.Events() {
            @Override
            public void transition(AccountStatusTransition t) {
              out.add(
                  new Logged<>(
                      record.partition(),
                      offsets.merge("t" + record.partition(), 1L, Long::sum),
                      record.key(),
                      t));
            }

            @Override
            public void levelEvent(UniMmrLevelEvent e) {
              out.add(
                  new Logged<>(
                      record.partition(),
                      offsets.merge("l" + record.partition(), 1L, Long::sum),
                      record.key(),
                      e));
            }
          });
    }
    return out;
  }
}
