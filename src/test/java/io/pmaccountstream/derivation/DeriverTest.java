package io.pmaccountstream.derivation;

import static io.pmaccountstream.testing.TestSnapshots.decimal;
import static io.pmaccountstream.testing.TestSnapshots.instant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.LevelEventKind;
import io.pmaccountstream.avro.TransitionDirection;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.testing.TestSnapshots;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DeriverTest {

  private static final String ACCOUNT = "acct-1";

  private final Deriver deriver = new Deriver(DerivationConfig.defaults());
  private AccountDerivationState state;

  private Derivation feed(AccountSnapshot snapshot) {
    Derivation result = deriver.derive(state, snapshot);
    state = result.state();
    return result;
  }

  private static TestSnapshots account() {
    return TestSnapshots.of(ACCOUNT);
  }

  private static List<String> levelEventIds(Derivation d) {
    return d.levelEvents().stream().map(UniMmrLevelEvent::getEventId).toList();
  }

  @Nested
  class FirstObservation {

    @Test
    void emitsInitialTransitionWithNullPreviousStatus() {
      Derivation d = feed(account().uniMmr("1.8").status(AccountStatus.NORMAL).at(0));

      AccountStatusTransition t = d.transition().orElseThrow();
      assertThat(t.getEventId()).isEqualTo("acct-1|1732363200000|NORMAL");
      assertThat(t.getAccountId()).isEqualTo(ACCOUNT);
      assertThat(t.getPreviousStatus()).isNull();
      assertThat(t.getStatus()).isEqualTo(AccountStatus.NORMAL);
      assertThat(t.getStatusRaw()).isEqualTo("NORMAL");
      assertThat(t.getDirection()).isEqualTo(TransitionDirection.INITIAL);
      assertThat(t.getUniMMR()).isEqualTo(decimal("1.8"));
      assertThat(t.getAccountEquity()).isEqualTo(decimal("10000"));
      assertThat(t.getAccountMaintMargin()).isEqualTo(decimal("5000"));
      assertThat(t.getUpdateTime()).isEqualTo(instant(0));
      assertThat(t.getObservedAt()).isEqualTo(instant(0));
      assertThat(d.levelEvents()).isEmpty();
      assertThat(d.stale()).isFalse();
    }

    @Test
    void breachesEveryLevelAlreadyBelowHighestFirst() {
      Derivation d = feed(account().uniMmr("1.1").status(AccountStatus.REDUCE_ONLY).at(0));

      assertThat(d.levelEvents())
          .extracting(
              UniMmrLevelEvent::getEventId,
              UniMmrLevelEvent::getLevel,
              UniMmrLevelEvent::getKind,
              UniMmrLevelEvent::getUniMMR,
              UniMmrLevelEvent::getPreviousUniMMR,
              UniMmrLevelEvent::getAccountStatus)
          .containsExactly(
              tuple(
                  "acct-1|1732363200000|BREACHED|1.50000000",
                  decimal("1.5"),
                  LevelEventKind.BREACHED,
                  decimal("1.1"),
                  null,
                  AccountStatus.REDUCE_ONLY),
              tuple(
                  "acct-1|1732363200000|BREACHED|1.20000000",
                  decimal("1.2"),
                  LevelEventKind.BREACHED,
                  decimal("1.1"),
                  null,
                  AccountStatus.REDUCE_ONLY));
      assertThat(d.transition()).isPresent();
      assertThat(state.getBreachedLevels()).containsExactly(decimal("1.5"), decimal("1.2"));
    }

    @Test
    void aboveEveryLevelEmitsNoLevelEvent() {
      Derivation d = feed(account().uniMmr("1.5").at(0));

      assertThat(d.levelEvents()).isEmpty();
      assertThat(state.getBreachedLevels()).isEmpty();
    }

    @Test
    void withNullUniMmrEmitsTheTransitionOnly() {
      Derivation d = feed(account().uniMmr(null).at(0));

      assertThat(d.transition().orElseThrow().getUniMMR()).isNull();
      assertThat(d.levelEvents()).isEmpty();
      assertThat(state.getUniMMR()).isNull();
      assertThat(state.getBreachedLevels()).isEmpty();
    }

    @Test
    void storesTheSnapshotInTheState() {
      feed(account().uniMmr("1.3").status(AccountStatus.MARGIN_CALL).updatedAt(-5).at(0));

      assertThat(state)
          .isEqualTo(
              new AccountDerivationState(
                  AccountStatus.MARGIN_CALL,
                  "MARGIN_CALL",
                  decimal("1.3"),
                  instant(-5),
                  instant(0),
                  List.of(decimal("1.5"))));
    }
  }

  @Nested
  class StatusTransitions {

    @Test
    void sameStatusEmitsNothing() {
      feed(account().status(AccountStatus.NORMAL).at(0));

      Derivation d = feed(account().status(AccountStatus.NORMAL).equity("9000").at(5));

      assertThat(d.transition()).isEmpty();
      assertThat(d.hasEvents()).isFalse();
      assertThat(d.accepted()).isTrue();
    }

    @Test
    void worseStatusIsWorsened() {
      feed(account().status(AccountStatus.NORMAL).at(0));

      AccountStatusTransition t =
          feed(account().uniMmr("1.6").status(AccountStatus.REDUCE_ONLY).at(5))
              .transition()
              .orElseThrow();

      assertThat(t.getEventId()).isEqualTo("acct-1|1732363205000|REDUCE_ONLY");
      assertThat(t.getPreviousStatus()).isEqualTo(AccountStatus.NORMAL);
      assertThat(t.getStatus()).isEqualTo(AccountStatus.REDUCE_ONLY);
      assertThat(t.getDirection()).isEqualTo(TransitionDirection.WORSENED);
    }

    @Test
    void betterStatusIsImproved() {
      feed(account().status(AccountStatus.FORCE_LIQUIDATION).at(0));

      AccountStatusTransition t =
          feed(account().status(AccountStatus.MARGIN_CALL).at(5)).transition().orElseThrow();

      assertThat(t.getPreviousStatus()).isEqualTo(AccountStatus.FORCE_LIQUIDATION);
      assertThat(t.getDirection()).isEqualTo(TransitionDirection.IMPROVED);
    }

    @Test
    void unknownStatusHasUnknownDirectionAndKeepsTheRawValue() {
      feed(account().status(AccountStatus.NORMAL).at(0));

      AccountStatusTransition t =
          feed(account().unknownStatus("PARTIAL_FREEZE").at(5)).transition().orElseThrow();

      assertThat(t.getStatus()).isEqualTo(AccountStatus.UNKNOWN);
      assertThat(t.getStatusRaw()).isEqualTo("PARTIAL_FREEZE");
      assertThat(t.getDirection()).isEqualTo(TransitionDirection.UNKNOWN);
      assertThat(t.getEventId()).isEqualTo("acct-1|1732363205000|UNKNOWN");
    }

    @Test
    void anotherUnknownRawStatusIsATransition() {
      feed(account().unknownStatus("PARTIAL_FREEZE").at(0));

      Derivation same = feed(account().unknownStatus("PARTIAL_FREEZE").at(5));
      Derivation other = feed(account().unknownStatus("FULL_FREEZE").at(10));

      assertThat(same.transition()).isEmpty();
      AccountStatusTransition t = other.transition().orElseThrow();
      assertThat(t.getPreviousStatus()).isEqualTo(AccountStatus.UNKNOWN);
      assertThat(t.getStatusRaw()).isEqualTo("FULL_FREEZE");
      assertThat(t.getDirection()).isEqualTo(TransitionDirection.UNKNOWN);
    }

    @Test
    void transitionAndLevelEventsCanComeFromOneSnapshot() {
      feed(account().uniMmr("1.6").status(AccountStatus.NORMAL).at(0));

      Derivation d = feed(account().uniMmr("1.1").status(AccountStatus.REDUCE_ONLY).at(5));

      assertThat(d.transition()).isPresent();
      assertThat(levelEventIds(d))
          .containsExactly(
              "acct-1|1732363205000|BREACHED|1.50000000",
              "acct-1|1732363205000|BREACHED|1.20000000");
    }
  }

  @Nested
  class Staleness {

    @Test
    void olderUpdateTimeIsIgnored() {
      feed(account().uniMmr("1.6").status(AccountStatus.NORMAL).updatedAt(10).at(10));
      AccountDerivationState before = state;

      Derivation d =
          feed(account().uniMmr("1.0").status(AccountStatus.REDUCE_ONLY).updatedAt(9).at(20));

      assertThat(d.stale()).isTrue();
      assertThat(d.accepted()).isFalse();
      assertThat(d.hasEvents()).isFalse();
      assertThat(d.levelEvents()).isEmpty();
      assertThat(d.state()).isSameAs(before);
    }

    @Test
    void equalUpdateTimeWithNewValuesIsAccepted() {
      feed(account().uniMmr("1.6").updatedAt(10).at(10));

      Derivation d = feed(account().uniMmr("1.4").updatedAt(10).at(15));

      assertThat(d.stale()).isFalse();
      assertThat(levelEventIds(d)).containsExactly("acct-1|1732363215000|BREACHED|1.50000000");
      assertThat(state.getObservedAt()).isEqualTo(instant(15));
    }

    @Test
    void equalUpdateTimeObservedEarlierIsIgnored() {
      feed(account().uniMmr("1.6").updatedAt(10).at(15));

      Derivation d = feed(account().uniMmr("1.4").updatedAt(10).at(14));

      assertThat(d.stale()).isTrue();
      assertThat(state.getUniMMR()).isEqualTo(decimal("1.6"));
    }

    @Test
    void theSameSnapshotTwiceIsAcceptedAndEmitsNothingTheSecondTime() {
      AccountSnapshot snapshot = account().uniMmr("1.1").status(AccountStatus.REDUCE_ONLY).at(0);
      feed(snapshot);

      Derivation again = feed(snapshot);

      assertThat(again.accepted()).isTrue();
      assertThat(again.hasEvents()).isFalse();
    }

    @Test
    void newerUpdateTimeObservedEarlierIsAccepted() {
      feed(account().uniMmr("1.6").updatedAt(10).at(15));

      Derivation d = feed(account().uniMmr("1.4").updatedAt(11).at(14));

      assertThat(d.accepted()).isTrue();
      assertThat(d.levelEvents()).hasSize(1);
    }
  }

  @Nested
  class Levels {

    @Test
    void uniMmrEqualToALevelDoesNotBreachIt() {
      feed(account().uniMmr("1.3").at(0));

      Derivation d = feed(account().uniMmr("1.2").at(5));

      assertThat(d.levelEvents()).isEmpty();
    }

    @Test
    void justBelowALevelBreachesIt() {
      feed(account().uniMmr("1.3").at(0));

      Derivation d = feed(account().uniMmr("1.19999999").at(5));

      assertThat(d.levelEvents())
          .extracting(
              UniMmrLevelEvent::getEventId,
              UniMmrLevelEvent::getUniMMR,
              UniMmrLevelEvent::getPreviousUniMMR)
          .containsExactly(
              tuple(
                  "acct-1|1732363205000|BREACHED|1.20000000",
                  decimal("1.19999999"),
                  decimal("1.3")));
    }

    @Test
    void recoversAtLevelTimesOnePlusHysteresisExactly() {
      feed(account().uniMmr("1.3").at(0));
      feed(account().uniMmr("1.1").at(5));

      Derivation below = feed(account().uniMmr("1.22399999").at(10));
      Derivation at = feed(account().uniMmr("1.224").at(15));

      assertThat(below.levelEvents()).isEmpty();
      assertThat(at.levelEvents())
          .extracting(
              UniMmrLevelEvent::getEventId,
              UniMmrLevelEvent::getKind,
              UniMmrLevelEvent::getUniMMR,
              UniMmrLevelEvent::getPreviousUniMMR)
          .containsExactly(
              tuple(
                  "acct-1|1732363215000|RECOVERED|1.20000000",
                  LevelEventKind.RECOVERED,
                  decimal("1.224"),
                  decimal("1.22399999")));
      assertThat(state.getBreachedLevels()).containsExactly(decimal("1.5"));
    }

    @Test
    void flappingAroundALevelInsideTheBandEmitsOnlyTheFirstBreach() {
      feed(account().uniMmr("1.3").at(0));
      Derivation first = feed(account().uniMmr("1.19").at(5));
      assertThat(first.levelEvents()).hasSize(1);

      String[] path = {"1.21", "1.19", "1.2", "1.1999", "1.2239", "1.15", "1.22"};
      for (int i = 0; i < path.length; i++) {
        Derivation d = feed(account().uniMmr(path[i]).at(10 + i));
        assertThat(d.levelEvents()).as("uniMMR %s", path[i]).isEmpty();
      }
      assertThat(state.getBreachedLevels()).containsExactly(decimal("1.5"), decimal("1.2"));
    }

    @Test
    void aBreachAfterARecoveryIsANewBreach() {
      feed(account().uniMmr("1.3").at(0));
      feed(account().uniMmr("1.1").at(5));
      feed(account().uniMmr("1.3").at(10));

      Derivation d = feed(account().uniMmr("1.1").at(15));

      assertThat(levelEventIds(d)).containsExactly("acct-1|1732363215000|BREACHED|1.20000000");
    }

    @Test
    void aFallAcrossEveryLevelBreachesHighestFirst() {
      feed(account().uniMmr("2").at(0));

      Derivation d = feed(account().uniMmr("0.9").at(5));

      assertThat(levelEventIds(d))
          .containsExactly(
              "acct-1|1732363205000|BREACHED|1.50000000",
              "acct-1|1732363205000|BREACHED|1.20000000",
              "acct-1|1732363205000|BREACHED|1.05000000");
      assertThat(d.levelEvents())
          .allSatisfy(
              e -> {
                assertThat(e.getUniMMR()).isEqualTo(decimal("0.9"));
                assertThat(e.getPreviousUniMMR()).isEqualTo(decimal("2"));
              });
    }

    @Test
    void aRiseAcrossEveryLevelRecoversLowestFirst() {
      feed(account().uniMmr("0.9").at(0));

      Derivation d = feed(account().uniMmr("1.53").at(5));

      assertThat(levelEventIds(d))
          .containsExactly(
              "acct-1|1732363205000|RECOVERED|1.05000000",
              "acct-1|1732363205000|RECOVERED|1.20000000",
              "acct-1|1732363205000|RECOVERED|1.50000000");
      assertThat(state.getBreachedLevels()).isEmpty();
    }

    @Test
    void aPartialRiseRecoversOnlyTheLevelsItClearsWithTheBand() {
      feed(account().uniMmr("1.0").at(0));

      Derivation d = feed(account().uniMmr("1.5").at(5));

      assertThat(levelEventIds(d))
          .containsExactly(
              "acct-1|1732363205000|RECOVERED|1.05000000",
              "acct-1|1732363205000|RECOVERED|1.20000000");
      assertThat(state.getBreachedLevels()).containsExactly(decimal("1.5"));
    }

    @Test
    void nullUniMmrChangesNothingAndKeepsTheLastKnownValue() {
      feed(account().uniMmr("1.1").at(0));
      AccountDerivationState before = state;

      Derivation empty = feed(account().uniMmr(null).at(5));

      assertThat(empty.hasEvents()).isFalse();
      assertThat(state.getUniMMR()).isEqualTo(decimal("1.1"));
      assertThat(state.getBreachedLevels()).isSameAs(before.getBreachedLevels());
      assertThat(state.getObservedAt()).isEqualTo(instant(5));

      Derivation next = feed(account().uniMmr("1.6").at(10));

      assertThat(next.levelEvents())
          .extracting(UniMmrLevelEvent::getPreviousUniMMR)
          .containsOnly(decimal("1.1"));
      assertThat(next.levelEvents()).hasSize(2);
    }

    @Test
    void zeroHysteresisRecoversAtTheLevel() {
      Deriver strict =
          new Deriver(new DerivationConfig(List.of(new BigDecimal("1.2")), BigDecimal.ZERO));
      AccountDerivationState s = strict.derive(null, account().uniMmr("1.1").at(0)).state();

      Derivation d = strict.derive(s, account().uniMmr("1.2").at(5));

      assertThat(levelEventIds(d)).containsExactly("acct-1|1732363205000|RECOVERED|1.20000000");
    }

    @Test
    void outputDecimalsHaveScaleEight() {
      AccountSnapshot snapshot = account().uniMmr("1.1").at(0);
      snapshot.setUniMMR(new BigDecimal("1.1"));
      snapshot.setAccountEquity(new BigDecimal("100"));

      Derivation d = feed(snapshot);

      assertThat(d.transition().orElseThrow().getUniMMR().scale()).isEqualTo(8);
      assertThat(d.transition().orElseThrow().getAccountEquity().scale()).isEqualTo(8);
      assertThat(d.levelEvents()).allSatisfy(e -> assertThat(e.getUniMMR().scale()).isEqualTo(8));
      assertThat(d.levelEvents()).allSatisfy(e -> assertThat(e.getLevel().scale()).isEqualTo(8));
      assertThat(state.getUniMMR().scale()).isEqualTo(8);
    }

    @Test
    void unchangedLevelsReuseThePreviousList() {
      feed(account().uniMmr("1.1").at(0));
      List<BigDecimal> before = state.getBreachedLevels();

      feed(account().uniMmr("1.15").at(5));

      assertThat(state.getBreachedLevels()).isSameAs(before);
    }
  }

  @Nested
  class ChangedConfiguration {

    private AccountDerivationState stateWithBreached(String... levels) {
      return new AccountDerivationState(
          AccountStatus.NORMAL,
          "NORMAL",
          decimal("1.1"),
          instant(0),
          instant(0),
          java.util.Arrays.stream(levels).map(TestSnapshots::decimal).toList());
    }

    @Test
    void dropsBreachedLevelsNoLongerConfigured() {
      AccountDerivationState old = stateWithBreached("1.5", "1.3", "1.2");

      Derivation d = deriver.derive(old, account().uniMmr("1.15").at(5));

      assertThat(d.levelEvents()).isEmpty();
      assertThat(d.state().getBreachedLevels()).containsExactly(decimal("1.5"), decimal("1.2"));
    }

    @Test
    void evaluatesNewlyConfiguredLevelsAsNotBreached() {
      AccountDerivationState old = stateWithBreached("1.5");

      Derivation d = deriver.derive(old, account().uniMmr("1.15").at(5));

      assertThat(levelEventIds(d)).containsExactly("acct-1|1732363205000|BREACHED|1.20000000");
    }

    @Test
    void putsRecoveriesBeforeBreachesWhenBothHappen() {
      AccountDerivationState old = stateWithBreached("1.2");

      Derivation d = deriver.derive(old, account().uniMmr("1.3").at(5));

      assertThat(levelEventIds(d))
          .containsExactly(
              "acct-1|1732363205000|RECOVERED|1.20000000",
              "acct-1|1732363205000|BREACHED|1.50000000");
    }
  }

  @Test
  void theSameInputGivesEqualOutput() {
    AccountSnapshot first = account().uniMmr("1.1").status(AccountStatus.REDUCE_ONLY).at(0);
    AccountSnapshot second = account().uniMmr("1.6").status(AccountStatus.NORMAL).at(5);

    Derivation a1 = deriver.derive(null, first);
    Derivation b1 = new Deriver(DerivationConfig.defaults()).derive(null, first);
    Derivation a2 = deriver.derive(a1.state(), second);
    Derivation b2 = new Deriver(DerivationConfig.defaults()).derive(b1.state(), second);

    assertThat(a1).isEqualTo(b1);
    assertThat(a2).isEqualTo(b2);
  }

  @Test
  void eventIdsHelperMatchesTheDerivedIds() {
    assertThat(
            EventIds.transition(
                ACCOUNT, Instant.ofEpochMilli(1_732_363_200_123L), AccountStatus.REDUCE_ONLY))
        .isEqualTo("acct-1|1732363200123|REDUCE_ONLY");
    assertThat(
            EventIds.level(
                ACCOUNT,
                Instant.ofEpochMilli(1_732_363_200_123L),
                LevelEventKind.RECOVERED,
                new BigDecimal("1.05")))
        .isEqualTo("acct-1|1732363200123|RECOVERED|1.05000000");
  }
}
