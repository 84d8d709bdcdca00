package io.pmaccountstream.derivation;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.LevelEventKind;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.testing.TestSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/** Properties of the derivation over random uniMMR/status paths. */
class DeriverProperties {

  /**
   * One step of a path: uniMMR (null = Binance sent ""), status, and whether it is a stale copy.
   */
  record Step(BigDecimal uniMmr, AccountStatus status) {}

  /** Every event of a path, in emission order. */
  record Events(List<AccountStatusTransition> transitions, List<UniMmrLevelEvent> levels) {}

  @Provide
  Arbitrary<DerivationConfig> configs() {
    Arbitrary<List<BigDecimal>> levels =
        Arbitraries.of("1.5", "1.3", "1.2", "1.1", "1.05", "1.0")
            .set()
            .ofMinSize(1)
            .ofMaxSize(4)
            .map(s -> s.stream().map(BigDecimal::new).toList());
    Arbitrary<BigDecimal> hysteresis =
        Arbitraries.of("0", "0.01", "0.02", "0.05").map(BigDecimal::new);
    return Combinators.combine(levels, hysteresis).as(DerivationConfig::new);
  }

  @Provide
  Arbitrary<List<Step>> paths() {
    Arbitrary<BigDecimal> uniMmr =
        Arbitraries.bigDecimals()
            .between(new BigDecimal("0.8"), new BigDecimal("1.8"))
            .ofScale(3)
            .injectNull(0.05);
    Arbitrary<AccountStatus> status = Arbitraries.of(AccountStatus.class);
    return Combinators.combine(uniMmr, status).as(Step::new).list().ofMinSize(1).ofMaxSize(60);
  }

  private static List<AccountSnapshot> snapshots(List<Step> path) {
    List<AccountSnapshot> snapshots = new ArrayList<>(path.size());
    for (int i = 0; i < path.size(); i++) {
      Step step = path.get(i);
      TestSnapshots builder =
          TestSnapshots.of("acct-p")
              .uniMmr(step.uniMmr() == null ? null : step.uniMmr().toPlainString());
      builder =
          step.status() == AccountStatus.UNKNOWN
              ? builder.unknownStatus("NEW_" + (i % 2))
              : builder.status(step.status());
      snapshots.add(builder.updatedAt(i / 2).at(i));
    }
    return snapshots;
  }

  private static Events run(
      Deriver deriver, List<AccountSnapshot> snapshots, boolean roundTripState) {
    List<AccountStatusTransition> transitions = new ArrayList<>();
    List<UniMmrLevelEvent> levels = new ArrayList<>();
    AccountDerivationState state = null;
    for (AccountSnapshot snapshot : snapshots) {
      Derivation d = deriver.derive(state, snapshot);
      d.transition().ifPresent(transitions::add);
      levels.addAll(d.levelEvents());
      state = roundTripState ? roundTrip(d.state()) : d.state();
    }
    return new Events(transitions, levels);
  }

  @Property
  void breachesAndRecoveriesAlternatePerLevelStartingWithABreach(
      @ForAll("configs") DerivationConfig config, @ForAll("paths") List<Step> path) {
    Events events = run(new Deriver(config), snapshots(path), false);

    Map<BigDecimal, LevelEventKind> last = new HashMap<>();
    for (UniMmrLevelEvent e : events.levels()) {
      LevelEventKind previous = last.getOrDefault(e.getLevel(), LevelEventKind.RECOVERED);
      assertThat(e.getKind())
          .as("event %s after %s", e.getEventId(), previous)
          .isNotEqualTo(previous);
      last.put(e.getLevel(), e.getKind());
    }
  }

  @Property
  void noLevelEventWithoutACrossing(
      @ForAll("configs") DerivationConfig config, @ForAll("paths") List<Step> path) {
    Events events = run(new Deriver(config), snapshots(path), false);

    for (UniMmrLevelEvent e : events.levels()) {
      BigDecimal recoverAt = config.recoveryThreshold(e.getLevel());
      if (e.getKind() == LevelEventKind.BREACHED) {
        assertThat(e.getUniMMR()).isLessThan(e.getLevel());
        if (e.getPreviousUniMMR() != null) {
          assertThat(e.getPreviousUniMMR()).isGreaterThanOrEqualTo(e.getLevel());
        }
      } else {
        assertThat(e.getUniMMR()).isGreaterThanOrEqualTo(recoverAt);
        assertThat(e.getPreviousUniMMR()).isLessThan(recoverAt);
      }
    }
  }

  @Property
  void breachedLevelsFollowTheReferenceModelAndStayNested(
      @ForAll("configs") DerivationConfig config, @ForAll("paths") List<Step> path) {
    Deriver deriver = new Deriver(config);
    Set<BigDecimal> model = new HashSet<>();
    AccountDerivationState state = null;
    for (AccountSnapshot snapshot : snapshots(path)) {
      state = deriver.derive(state, snapshot).state();
      BigDecimal u = snapshot.getUniMMR();
      if (u != null) {
        for (BigDecimal level : config.levels()) {
          if (u.compareTo(level) < 0) {
            model.add(level);
          } else if (u.compareTo(config.recoveryThreshold(level)) >= 0) {
            model.remove(level);
          }
        }
      }
      assertThat(state.getBreachedLevels()).containsExactlyInAnyOrderElementsOf(model);
      List<BigDecimal> nestedPrefix = config.levels().subList(0, model.size());
      assertThat(state.getBreachedLevels())
          .as("breached levels are the highest ones")
          .containsExactlyElementsOf(nestedPrefix);
    }
  }

  @Property
  void aTransitionIsEmittedExactlyWhenTheStatusChanges(
      @ForAll("configs") DerivationConfig config, @ForAll("paths") List<Step> path) {
    List<AccountSnapshot> snapshots = snapshots(path);
    Events events = run(new Deriver(config), snapshots, false);

    List<String> expected = new ArrayList<>();
    String previous = null;
    for (AccountSnapshot s : snapshots) {
      if (!s.getAccountStatusRaw().equals(previous)) {
        expected.add(s.getAccountStatusRaw());
      }
      previous = s.getAccountStatusRaw();
    }
    assertThat(events.transitions())
        .extracting(AccountStatusTransition::getStatusRaw)
        .containsExactlyElementsOf(expected);
    assertThat(events.transitions().get(0).getPreviousStatus()).isNull();
  }

  @Property
  void replayingAPathGivesIdenticalEventsEvenThroughTheStoreSerialization(
      @ForAll("configs") DerivationConfig config, @ForAll("paths") List<Step> path) {
    List<AccountSnapshot> snapshots = snapshots(path);

    Events live = run(new Deriver(config), snapshots, true);
    Events replay = run(new Deriver(config), snapshots, false);

    assertThat(replay).isEqualTo(live);
  }

  @Property
  void staleSnapshotsChangeNothing(
      @ForAll("configs") DerivationConfig config,
      @ForAll("paths") List<Step> path,
      @ForAll @IntRange(min = 1, max = 5) int every) {
    List<AccountSnapshot> clean = snapshots(path);
    List<AccountSnapshot> withStale = new ArrayList<>();
    for (int i = 0; i < clean.size(); i++) {
      withStale.add(clean.get(i));
      if (i % every == 0) {
        withStale.add(
            TestSnapshots.of("acct-p")
                .uniMmr("0.5")
                .status(AccountStatus.BANKRUPTED)
                .updatedAt(i / 2 - 1)
                .at(1000 + i));
      }
    }

    assertThat(run(new Deriver(config), withStale, false))
        .isEqualTo(run(new Deriver(config), clean, false));
  }

  @Property
  void flappingInsideTheHysteresisBandEmitsOnlyTheFirstBreach(
      @ForAll("bands") List<BigDecimal> path) {
    BigDecimal level = new BigDecimal("1.2");
    Deriver deriver = new Deriver(new DerivationConfig(List.of(level), new BigDecimal("0.02")));
    List<AccountSnapshot> snapshots = new ArrayList<>();
    snapshots.add(TestSnapshots.of("acct-f").uniMmr("1.1").at(0));
    for (int i = 0; i < path.size(); i++) {
      snapshots.add(TestSnapshots.of("acct-f").uniMmr(path.get(i).toPlainString()).at(i + 1));
    }

    Events events = run(deriver, snapshots, false);

    assertThat(events.levels())
        .extracting(UniMmrLevelEvent::getEventId)
        .containsExactly("acct-f|" + TestSnapshots.BASE_MILLIS + "|BREACHED|1.20000000");
  }

  @Provide
  Arbitrary<List<BigDecimal>> bands() {
    return Arbitraries.bigDecimals()
        .between(new BigDecimal("1.1"), new BigDecimal("1.224"))
        .ofScale(8)
        .filter(d -> d.compareTo(new BigDecimal("1.224")) < 0)
        .list()
        .ofMaxSize(50);
  }

  @Property
  void eventIdsAreUniqueAndLevelsHaveScaleEight(
      @ForAll("configs") DerivationConfig config, @ForAll("paths") List<Step> path) {
    Events events = run(new Deriver(config), snapshots(path), false);

    List<String> ids = new ArrayList<>();
    events.transitions().forEach(t -> ids.add(t.getEventId()));
    events.levels().forEach(e -> ids.add(e.getEventId()));
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(events.levels()).allSatisfy(e -> assertThat(e.getLevel().scale()).isEqualTo(8));
    assertThat(events.levels()).allSatisfy(e -> assertThat(e.getUniMMR().scale()).isEqualTo(8));
  }

  private static AccountDerivationState roundTrip(AccountDerivationState state) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new SpecificDatumWriter<>(AccountDerivationState.class).write(state, encoder);
      encoder.flush();
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(out.toByteArray(), null);
      return new SpecificDatumReader<>(AccountDerivationState.class).read(null, decoder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
