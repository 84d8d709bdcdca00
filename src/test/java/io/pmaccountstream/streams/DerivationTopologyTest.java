package io.pmaccountstream.streams;

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
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.testing.FoldedEvents;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import io.pmaccountstream.testing.TestSnapshots;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rule of the derivation, through the topology with the real serde. */
class DerivationTopologyTest {

  private static final String A = "acct-a";
  private static final String B = "acct-b";

  @TempDir Path stateDir;

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final DerivationSerdes serdes = DerivationSerdes.create(registry);
  private final DerivationTopics topics = DerivationTopics.of(Topics.defaults(), serdes);
  private TopologyTestDriver driver;
  private TestInputTopic<String, AccountSnapshot> snapshots;
  private TestOutputTopic<String, AccountStatusTransition> transitions;
  private TestOutputTopic<String, UniMmrLevelEvent> levels;
  private TestOutputTopic<String, AccountSnapshot> latest;

  @BeforeEach
  void start() {
    start(TopologyConfig.defaults());
  }

  private void start(TopologyConfig config) {
    start(config, EmitFrom.all());
  }

  private void start(TopologyConfig config, EmitFrom emitFrom) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "derive-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.putAll(DeriveApp.deadLetterProperties(config.topics()));
    driver = new TopologyTestDriver(DerivationTopology.build(config, serdes, emitFrom), props);
    snapshots = input(topics.snapshots());
    transitions = output(topics.statusTransitions());
    levels = output(topics.lowUniMmr());
    latest = output(topics.latest());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private <K, V> TestInputTopic<K, V> input(TopicSerdes<K, V> topic) {
    return driver.createInputTopic(
        topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  private <K, V> TestOutputTopic<K, V> output(TopicSerdes<K, V> topic) {
    return driver.createOutputTopic(
        topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
  }

  private void pipe(AccountSnapshot snapshot) {
    snapshots.pipeInput(snapshot.getAccountId(), snapshot, snapshot.getObservedAt());
  }

  private List<String> levelIds() {
    return levels.readValuesToList().stream().map(UniMmrLevelEvent::getEventId).toList();
  }

  private double metricTotal(String name) {
    return driver.metrics().entrySet().stream()
        .filter(e -> e.getKey().group().equals(DeriveMetrics.GROUP))
        .filter(e -> e.getKey().name().equals(name + "-total"))
        .map(Map.Entry::getValue)
        .mapToDouble(m -> ((Number) m.metricValue()).doubleValue())
        .sum();
  }

  @Test
  void snapshotsObservedBeforeEmitFromWarmTheStateButEmitNothing() {
    driver.close();
    start(TopologyConfig.defaults(), EmitFrom.since(instant(10)));
    List<AccountSnapshot> history =
        List.of(
            TestSnapshots.of(A).uniMmr("1.8").at(0),
            TestSnapshots.of(A).uniMmr("1.1").status(AccountStatus.MARGIN_CALL).at(5),
            TestSnapshots.of(B).uniMmr("1.3").at(9));
    history.forEach(this::pipe);

    assertThat(transitions.isEmpty()).as("transitions of held-back snapshots").isTrue();
    assertThat(levels.isEmpty()).as("level events of held-back snapshots").isTrue();
    assertThat(latest.isEmpty()).as("latest of held-back snapshots").isTrue();
    assertThat(metricTotal(DeriveMetrics.HELD_BACK)).isEqualTo(3.0);

    List<AccountSnapshot> live =
        List.of(
            TestSnapshots.of(A).uniMmr("1.6").status(AccountStatus.NORMAL).at(10),
            TestSnapshots.of(B).uniMmr("1.0").status(AccountStatus.REDUCE_ONLY).at(11));
    live.forEach(this::pipe);

    List<AccountSnapshot> all = new java.util.ArrayList<>(history);
    all.addAll(live);
    DeriveItSupport.Outputs expected =
        DeriveItSupport.expectedFrom(all, instant(10), DerivationConfig.defaults());
    assertThat(expected.transitions)
        .as("the plain fold emits a recovery, not an INITIAL transition, for acct-a")
        .extracting(t -> ((AccountStatusTransition) t).getDirection())
        .contains(TransitionDirection.IMPROVED)
        .doesNotContain(TransitionDirection.INITIAL);
    assertThat(transitions.readValuesToList()).isEqualTo(expected.transitions);
    assertThat(levels.readValuesToList()).isEqualTo(expected.levelEvents);
    assertThat(latest.readValuesToList()).isEqualTo(expected.latest).isEqualTo(live);
  }

  @Test
  void aSnapshotObservedExactlyAtEmitFromEmits() {
    driver.close();
    start(TopologyConfig.defaults(), EmitFrom.since(instant(10)));

    pipe(TestSnapshots.of(A).uniMmr("1.8").at(10));

    assertThat(transitions.readValue().getDirection()).isEqualTo(TransitionDirection.INITIAL);
  }

  @Test
  void firstSnapshotEmitsTheInitialTransitionAndTheLatestSnapshot() {
    AccountSnapshot first = TestSnapshots.of(A).uniMmr("1.8").at(0);
    pipe(first);

    TestRecord<String, AccountStatusTransition> t = transitions.readRecord();
    assertThat(t.key()).isEqualTo(A);
    assertThat(t.timestamp()).isEqualTo(instant(0).toEpochMilli());
    assertThat(t.value().getEventId()).isEqualTo("acct-a|1732363200000|NORMAL");
    assertThat(t.value().getPreviousStatus()).isNull();
    assertThat(t.value().getDirection()).isEqualTo(TransitionDirection.INITIAL);
    assertThat(latest.readKeyValue()).isEqualTo(KeyValue.pair(A, first));
    assertThat(levels.isEmpty()).isTrue();
    assertThat(transitions.isEmpty()).isTrue();
  }

  @Test
  void outputTimestampsAreObservedAtEvenWhenTheInputTimestampDiffers() {
    AccountSnapshot snapshot = TestSnapshots.of(A).uniMmr("1.1").at(0);
    snapshots.pipeInput(A, snapshot, instant(3600));

    assertThat(transitions.readRecord().timestamp()).isEqualTo(instant(0).toEpochMilli());
    assertThat(levels.readRecordsToList())
        .extracting(TestRecord::timestamp)
        .containsOnly(instant(0).toEpochMilli());
    assertThat(latest.readRecord().timestamp()).isEqualTo(instant(0).toEpochMilli());
  }

  @Test
  void statusChangesEmitTransitionsWithDirection() {
    pipe(TestSnapshots.of(A).status(AccountStatus.NORMAL).at(0));
    pipe(TestSnapshots.of(A).status(AccountStatus.NORMAL).at(5));
    pipe(TestSnapshots.of(A).status(AccountStatus.REDUCE_ONLY).at(10));
    pipe(TestSnapshots.of(A).status(AccountStatus.MARGIN_CALL).at(15));
    pipe(TestSnapshots.of(A).unknownStatus("NEW_STATUS").at(20));

    assertThat(transitions.readValuesToList())
        .extracting(
            AccountStatusTransition::getPreviousStatus,
            AccountStatusTransition::getStatus,
            AccountStatusTransition::getDirection)
        .containsExactly(
            tuple(null, AccountStatus.NORMAL, TransitionDirection.INITIAL),
            tuple(AccountStatus.NORMAL, AccountStatus.REDUCE_ONLY, TransitionDirection.WORSENED),
            tuple(
                AccountStatus.REDUCE_ONLY, AccountStatus.MARGIN_CALL, TransitionDirection.IMPROVED),
            tuple(AccountStatus.MARGIN_CALL, AccountStatus.UNKNOWN, TransitionDirection.UNKNOWN));
    assertThat(latest.readValuesToList()).hasSize(5);
  }

  @Test
  void firstObservationBreachesEveryLevelAlreadyBelow() {
    pipe(TestSnapshots.of(A).uniMmr("1.0").at(0));

    assertThat(levelIds())
        .containsExactly(
            "acct-a|1732363200000|BREACHED|1.50000000",
            "acct-a|1732363200000|BREACHED|1.20000000",
            "acct-a|1732363200000|BREACHED|1.05000000");
  }

  @Test
  void jumpsAcrossLevelsEmitOneEventPerLevelInCrossingOrder() {
    pipe(TestSnapshots.of(A).uniMmr("1.6").at(0));
    pipe(TestSnapshots.of(A).uniMmr("1.0").at(5));
    pipe(TestSnapshots.of(A).uniMmr("1.6").at(10));

    List<UniMmrLevelEvent> events = levels.readValuesToList();
    assertThat(events)
        .extracting(UniMmrLevelEvent::getKind, UniMmrLevelEvent::getLevel)
        .containsExactly(
            tuple(LevelEventKind.BREACHED, decimal("1.5")),
            tuple(LevelEventKind.BREACHED, decimal("1.2")),
            tuple(LevelEventKind.BREACHED, decimal("1.05")),
            tuple(LevelEventKind.RECOVERED, decimal("1.05")),
            tuple(LevelEventKind.RECOVERED, decimal("1.2")),
            tuple(LevelEventKind.RECOVERED, decimal("1.5")));
    assertThat(events.get(3).getPreviousUniMMR()).isEqualTo(decimal("1.0"));
  }

  @Test
  void flappingInsideTheHysteresisBandEmitsOnlyTheFirstBreachAndRecoveryNeedsTheBand() {
    List<String> path = List.of("1.25", "1.19", "1.21", "1.18", "1.2239", "1.2", "1.224", "1.21");
    for (int i = 0; i < path.size(); i++) {
      pipe(TestSnapshots.of(A).uniMmr(path.get(i)).at(i));
    }

    assertThat(levels.readValuesToList())
        .extracting(UniMmrLevelEvent::getKind, UniMmrLevelEvent::getUniMMR)
        .containsExactly(
            tuple(LevelEventKind.BREACHED, decimal("1.25")),
            tuple(LevelEventKind.BREACHED, decimal("1.19")),
            tuple(LevelEventKind.RECOVERED, decimal("1.224")));
  }

  @Test
  void staleSnapshotsAreIgnoredAndCounted() {
    pipe(TestSnapshots.of(A).uniMmr("1.6").updatedAt(10).at(10));
    latest.readValuesToList();
    transitions.readValuesToList();

    pipe(TestSnapshots.of(A).uniMmr("1.0").status(AccountStatus.REDUCE_ONLY).updatedAt(5).at(20));

    assertThat(transitions.isEmpty()).isTrue();
    assertThat(levels.isEmpty()).isTrue();
    assertThat(latest.isEmpty()).isTrue();
    assertThat(metricTotal(DeriveMetrics.STALE)).isEqualTo(1.0);
    KeyValueStore<String, AccountDerivationState> store =
        driver.getKeyValueStore(DerivationTopology.STORE);
    assertThat(store.get(A).getUniMMR()).isEqualTo(decimal("1.6"));
  }

  @Test
  void equalUpdateTimeWithANewUniMmrIsAccepted() {
    pipe(TestSnapshots.of(A).uniMmr("1.6").updatedAt(10).at(10));
    pipe(TestSnapshots.of(A).uniMmr("1.4").updatedAt(10).at(15));

    assertThat(levelIds()).containsExactly("acct-a|1732363215000|BREACHED|1.50000000");
    assertThat(latest.readValuesToList()).hasSize(2);
    assertThat(metricTotal(DeriveMetrics.STALE)).isZero();
  }

  @Test
  void nullUniMmrChangesNoLevelButUpdatesLatest() {
    pipe(TestSnapshots.of(A).uniMmr("1.1").at(0));
    levels.readValuesToList();

    pipe(TestSnapshots.of(A).uniMmr(null).at(5));
    pipe(TestSnapshots.of(A).uniMmr("1.15").at(10));

    assertThat(levels.isEmpty()).isTrue();
    assertThat(latest.readValuesToList())
        .extracting(AccountSnapshot::getUniMMR)
        .containsExactly(decimal("1.1"), null, decimal("1.15"));
    assertThat(
            driver
                .<String, AccountDerivationState>getKeyValueStore(DerivationTopology.STORE)
                .get(A)
                .getBreachedLevels())
        .containsExactly(decimal("1.5"), decimal("1.2"));
  }

  @Test
  void accountsAreIndependent() {
    pipe(TestSnapshots.of(A).uniMmr("1.3").at(0));
    pipe(TestSnapshots.of(B).uniMmr("1.1").at(1));
    pipe(TestSnapshots.of(A).uniMmr("1.1").at(2));

    List<KeyValue<String, UniMmrLevelEvent>> events = levels.readKeyValuesToList();
    assertThat(events)
        .extracting(kv -> kv.key, kv -> kv.value.getEventId())
        .containsExactly(
            tuple(A, "acct-a|1732363200000|BREACHED|1.50000000"),
            tuple(B, "acct-b|1732363201000|BREACHED|1.50000000"),
            tuple(B, "acct-b|1732363201000|BREACHED|1.20000000"),
            tuple(A, "acct-a|1732363202000|BREACHED|1.20000000"));
  }

  @Test
  void recordsThatAreNotASnapshotOfTheirKeyAreDeadLetteredSkippedAndCounted() {
    snapshots.pipeInput(B, TestSnapshots.of(A).uniMmr("1.0").at(0));
    snapshots.pipeInput(A, null, instant(1));
    snapshots.pipeInput(null, TestSnapshots.of(A).uniMmr("1.0").at(2));

    assertThat(transitions.isEmpty()).isTrue();
    assertThat(levels.isEmpty()).isTrue();
    assertThat(latest.isEmpty()).isTrue();
    assertThat(metricTotal(DeriveMetrics.SKIPPED)).isEqualTo(3.0);
    assertThat(
            driver
                .createOutputTopic(
                    Topics.defaults().deriveDeadLetter(),
                    new org.apache.kafka.common.serialization.StringDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer())
                .readRecordsToList())
        .extracting(r -> new String(r.headers().lastHeader(DeadLetters.REASON).value()))
        .containsExactly(AccountFold.KEY_MISMATCH, AccountFold.NO_VALUE, AccountFold.KEY_MISMATCH);

    pipe(TestSnapshots.of(A).uniMmr("1.0").at(3));
    assertThat(transitions.readValue().getPreviousStatus()).isNull();
  }

  @Test
  void countsEmittedEvents() {
    pipe(TestSnapshots.of(A).uniMmr("1.1").at(0));

    assertThat(metricTotal(DeriveMetrics.TRANSITIONS)).isEqualTo(1.0);
    assertThat(metricTotal(DeriveMetrics.LEVEL_EVENTS)).isEqualTo(2.0);
  }

  @Test
  void usesTheConfiguredLevelsAndHysteresis() {
    driver.close();
    start(
        new TopologyConfig(
            Topics.defaults(),
            new DerivationConfig(List.of(new BigDecimal("1.3")), new BigDecimal("0.1"))));

    pipe(TestSnapshots.of(A).uniMmr("1.29").at(0));
    pipe(TestSnapshots.of(A).uniMmr("1.42").at(1));
    pipe(TestSnapshots.of(A).uniMmr("1.43").at(2));

    assertThat(levelIds())
        .containsExactly(
            "acct-a|1732363200000|BREACHED|1.30000000",
            "acct-a|1732363202000|RECOVERED|1.30000000");
  }

  @Test
  void registersEveryOutputAndTheStoreUnderTopicNameSubjects() {
    pipe(TestSnapshots.of(A).uniMmr("1.1").at(0));

    for (String subject :
        List.of(
            "pm.account.status-transitions-value",
            "pm.account.low-unimmr-value",
            "pm.account.latest-value",
            "derive-test-account-derivation-state-changelog-value")) {
      assertThat(registry.versions(subject)).as(subject).hasSize(1);
    }
  }

  @Test
  void theTopologyEmitsExactlyWhatTheDeriverDerives() {
    AccountFold fold =
        new AccountFold(new io.pmaccountstream.derivation.Deriver(DerivationConfig.defaults()));
    AccountFold.States states = AccountFold.States.inMemory();
    java.util.Random random = new java.util.Random(7);
    FoldedEvents expect = new FoldedEvents();
    BigDecimal u = new BigDecimal("1.4");
    for (int i = 0; i < 300; i++) {
      u =
          u.add(BigDecimal.valueOf(random.nextInt(11) - 5, 2))
              .max(new BigDecimal("0.9"))
              .min(new BigDecimal("1.7"));
      AccountStatus status = AccountStatus.values()[random.nextInt(AccountStatus.values().length)];
      AccountSnapshot s =
          TestSnapshots.of(A)
              .uniMmr(u.toPlainString())
              .status(status)
              .updatedAt(i - random.nextInt(3))
              .at(i);
      fold.apply(s.getAccountId(), s, states, expect);
      pipe(s);
    }

    List<Object> actual = new java.util.ArrayList<>();
    actual.addAll(transitions.readValuesToList());
    actual.addAll(levels.readValuesToList());
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expect.events);
    assertThat(expect.events).hasSizeGreaterThan(20);
  }
}
