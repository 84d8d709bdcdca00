package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.Records.at;
import static io.pmaccountstream.replay.Records.dec;
import static io.pmaccountstream.replay.Records.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.derivation.Deriver;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.streams.LiveTopology;
import io.pmaccountstream.streams.TopologyConfig;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayerTest {

  private static final String TOPIC = "pm.account.snapshots";
  private static final AccountStatus[] STATUSES = {
    AccountStatus.NORMAL, AccountStatus.MARGIN_CALL, AccountStatus.REDUCE_ONLY
  };

  private final LogConsumer consumer = new LogConsumer(TOPIC, 2, 7);
  private final FakeDecoder decoder = new FakeDecoder();
  private final List<List<Published>> partitions = List.of(new ArrayList<>(), new ArrayList<>());

  @TempDir Path stateDir;

  private void publish(int partition, AccountSnapshot snapshot) {
    publish(partition, snapshot.getAccountId(), snapshot);
  }

  private void publish(int partition, String key, AccountSnapshot snapshot) {
    consumer.append(
        partition, snapshot.getObservedAt().toEpochMilli(), key, decoder.encode(snapshot));
    partitions.get(partition).add(new Published(key, snapshot));
  }

  /** A random walk of uniMMR around the levels for a few accounts, with some stale snapshots. */
  private void publishHistory(long seed) {
    Random random = new Random(seed);
    String[] accounts = {"a", "b", "c"};
    Map<String, Double> mmr = new HashMap<>(Map.of("a", 1.6, "b", 1.3, "c", 1.1));
    for (int t = 0; t < 600; t++) {
      String account = accounts[random.nextInt(accounts.length)];
      double next = Math.max(0.9, mmr.get(account) + (random.nextDouble() - 0.5) * 0.2);
      mmr.put(account, next);
      int partition = account.equals("b") ? 1 : 0;
      AccountStatus status = STATUSES[next < 1.1 ? 2 : next < 1.3 ? 1 : 0];
      String uniMmr = String.format(java.util.Locale.ROOT, "%.4f", next);
      boolean stale = random.nextInt(20) == 0 && t > 10;
      long updateSeconds = stale ? t - 10 : t;
      publish(partition, snapshot(account, updateSeconds, t, uniMmr, status));
    }
  }

  /**
   * What the live Streams processor (the real topology, its serdes and store, under {@code
   * TopologyTestDriver}) emits for the published records, each partition in offset order, kept for
   * records observed at or after {@code from}. Accounts never share a partition here, so piping the
   * partitions one after the other keeps every account's order.
   */
  private Events liveEvents(DerivationConfig config, Instant from) {
    Events events = new Events();
    try (LiveTopology live =
        new LiveTopology(new TopologyConfig(Topics.defaults(), config), stateDir)) {
      for (List<Published> partition : partitions) {
        for (Published record : partition) {
          live.pipe(record.key(), record.snapshot());
        }
      }
      live.transitions().stream()
          .filter(t -> !t.getObservedAt().isBefore(from))
          .forEach(events::transition);
      live.levelEvents().stream()
          .filter(e -> !e.getObservedAt().isBefore(from))
          .forEach(events::levelEvent);
    }
    return events;
  }

  private record Published(String key, AccountSnapshot snapshot) {}

  private ReplayReport replay(
      DerivationConfig config,
      TimeRange range,
      WarmUp warmUp,
      AccountFilter filter,
      EventSink sink) {
    ReadPlan plan = ReadPlan.of(consumer, TOPIC, range, warmUp, Duration.ofSeconds(1));
    PartitionMergeReader reader =
        new PartitionMergeReader(consumer, plan, Clock.systemUTC(), Duration.ofSeconds(5));
    return new Replayer(
            reader,
            decoder,
            filter,
            new Deriver(config),
            sink,
            Optional.empty(),
            ProgressReporter.silent())
        .run();
  }

  @Test
  void withWarmUpFromTheBeginningTheEventsAreExactlyThoseOfTheLiveProcessor() {
    publishHistory(42);
    TimeRange range = new TimeRange(at(200), at(450));
    Events replayed = new Events();

    ReplayReport report =
        replay(DerivationConfig.defaults(), range, WarmUp.all(), AccountFilter.all(), replayed);

    Events live = liveEvents(DerivationConfig.defaults(), range.from());
    live.transitions.removeIf(t -> !t.getObservedAt().isBefore(range.to()));
    live.levels.removeIf(e -> !e.getObservedAt().isBefore(range.to()));
    assertThat(replayed.transitions).containsExactlyInAnyOrderElementsOf(live.transitions);
    assertThat(replayed.levels).containsExactlyInAnyOrderElementsOf(live.levels);
    assertThat(replayed.levels).isNotEmpty();
    assertThat(replayed.transitions).isNotEmpty();
    assertThat(report.warmUpRecords()).isEqualTo(200);
    assertThat(report.rangeRecords()).isEqualTo(250);
    assertThat(report.staleInRange()).isPositive();
    assertThat(report.transitions()).isEqualTo(replayed.transitions.size());
    assertThat(report.levelEvents()).isEqualTo(replayed.levels.size());
  }

  @Test
  void eachAccountsEventsComeInTheLiveOrder() {
    publishHistory(7);
    Events replayed = new Events();

    replay(
        DerivationConfig.defaults(),
        new TimeRange(at(0), at(600)),
        WarmUp.all(),
        AccountFilter.all(),
        replayed);

    Events live = liveEvents(DerivationConfig.defaults(), at(0));
    for (String account : List.of("a", "b", "c")) {
      assertThat(replayed.levelIdsOf(account)).containsExactlyElementsOf(live.levelIdsOf(account));
    }
  }

  @Test
  void withoutWarmUpTheFirstSnapshotInTheRangeLooksLikeANewAccount() {
    publish(0, snapshot("a", 0, "1.1", AccountStatus.MARGIN_CALL));
    publish(0, snapshot("a", 100, "1.1", AccountStatus.MARGIN_CALL));
    TimeRange range = new TimeRange(at(50), at(200));

    Events warm = new Events();
    replay(DerivationConfig.defaults(), range, WarmUp.all(), AccountFilter.all(), warm);
    Events cold = new Events();
    replay(DerivationConfig.defaults(), range, WarmUp.none(), AccountFilter.all(), cold);

    assertThat(warm.transitions).isEmpty();
    assertThat(warm.levels).isEmpty();
    assertThat(cold.transitions).extracting(t -> t.getPreviousStatus()).containsOnlyNulls();
    assertThat(cold.levels)
        .extracting(UniMmrLevelEvent::getLevel)
        .containsExactly(dec("1.5"), dec("1.2"));
  }

  @Test
  void whatIfLevelsAndHysteresisGiveTheirOwnEvents() {
    publish(0, snapshot("a", 0, "1.5", AccountStatus.NORMAL));
    publish(0, snapshot("a", 10, "1.25", AccountStatus.NORMAL));
    publish(0, snapshot("a", 20, "1.32", AccountStatus.NORMAL));
    publish(0, snapshot("a", 30, "1.34", AccountStatus.NORMAL));
    TimeRange range = new TimeRange(at(0), at(100));
    DerivationConfig whatIf =
        new DerivationConfig(List.of(new BigDecimal("1.3"), new BigDecimal("1.1")), dec("0.02"));

    Events events = new Events();
    replay(whatIf, range, WarmUp.all(), AccountFilter.all(), events);

    // 1.25 < 1.3 breaches; 1.32 is inside the band (recovery at 1.326); 1.34 recovers.
    assertThat(events.levels)
        .extracting(UniMmrLevelEvent::getEventId)
        .containsExactly(
            "a|" + at(10).plusMillis(123).toEpochMilli() + "|BREACHED|1.30000000",
            "a|" + at(30).plusMillis(123).toEpochMilli() + "|RECOVERED|1.30000000");
  }

  @Test
  void onlyTheChosenAccountsAreDerived() {
    publishHistory(3);
    Events events = new Events();

    ReplayReport report =
        replay(
            DerivationConfig.defaults(),
            new TimeRange(at(0), at(600)),
            WarmUp.all(),
            AccountFilter.only(Set.of("a")),
            events);

    assertThat(events.transitions)
        .extracting(AccountStatusTransition::getAccountId)
        .containsOnly("a");
    assertThat(events.levels).extracting(UniMmrLevelEvent::getAccountId).containsOnly("a");
    assertThat(report.accounts()).isEqualTo(1);
    assertThat(report.otherAccounts() + report.rangeRecords()).isEqualTo(600);
  }

  @Test
  void aRecordNotKeyedByItsAccountIsSkippedAsTheLiveTopologyDoes() {
    publish(0, snapshot("a", 0, "1.5", AccountStatus.NORMAL));
    publish(0, "not-a", snapshot("a", 10, "1.0", AccountStatus.REDUCE_ONLY));
    publish(0, null, snapshot("a", 20, "1.0", AccountStatus.REDUCE_ONLY));
    Events events = new Events();

    ReplayReport report =
        replay(
            DerivationConfig.defaults(),
            new TimeRange(at(0), at(100)),
            WarmUp.all(),
            AccountFilter.all(),
            events);

    assertThat(events.transitions).hasSize(1);
    assertThat(events.levels).isEmpty();
    assertThat(report.badRecords().count()).isEqualTo(2);
    assertThat(report.badRecords().byKind()).containsOnlyKeys(AccountFold.KEY_MISMATCH);
  }

  @Test
  void badRecordsAreCountedAndTheReplayGoesOn() {
    publish(0, snapshot("a", 0, "1.5", AccountStatus.NORMAL));
    consumer.append(0, at(5).toEpochMilli(), "a", FakeDecoder.bad("unknown schema id", "id 99"));
    publish(0, snapshot("a", 10, "1.0", AccountStatus.REDUCE_ONLY));
    Events events = new Events();

    ReplayReport report =
        replay(
            DerivationConfig.defaults(),
            new TimeRange(at(0), at(100)),
            WarmUp.all(),
            AccountFilter.all(),
            events);

    assertThat(report.badRecords().count()).isEqualTo(1);
    assertThat(events.transitions).hasSize(2);
    assertThat(events.levels).hasSize(3);
  }

  @Test
  void aSnapshotWithAnUpdateTimeFarAheadIsSkippedWhereTheLiveTopologyDeadLettersIt() {
    publish(0, snapshot("a", 0, "1.6", AccountStatus.NORMAL));
    publish(
        0,
        AccountSnapshot.newBuilder(snapshot("a", 10, "1.0", AccountStatus.REDUCE_ONLY))
            .setUpdateTime(Instant.parse("9999-12-31T00:00:00Z"))
            .build());
    publish(0, snapshot("a", 20, "1.1", AccountStatus.REDUCE_ONLY));
    Events replayed = new Events();

    ReplayReport report =
        replay(
            DerivationConfig.defaults(),
            new TimeRange(at(0), at(100)),
            WarmUp.all(),
            AccountFilter.all(),
            replayed);

    Events live = liveEvents(DerivationConfig.defaults(), at(0));
    assertThat(replayed.transitions).containsExactlyElementsOf(live.transitions).hasSize(2);
    assertThat(replayed.levels).containsExactlyElementsOf(live.levels).hasSize(2);
    assertThat(report.badRecords().byKind()).containsOnly(entry(AccountFold.UPDATE_TIME_AHEAD, 1L));
  }

  /** Collects events in memory. */
  static final class Events implements EventSink {
    final List<AccountStatusTransition> transitions = new ArrayList<>();
    final List<UniMmrLevelEvent> levels = new ArrayList<>();

    @Override
    public void transition(AccountStatusTransition event) {
      transitions.add(event);
    }

    @Override
    public void levelEvent(UniMmrLevelEvent event) {
      levels.add(event);
    }

    List<String> levelIdsOf(String account) {
      return levels.stream()
          .filter(e -> e.getAccountId().equals(account))
          .map(UniMmrLevelEvent::getEventId)
          .toList();
    }

    @Override
    public void close() {}

    @Override
    public List<String> destinations() {
      return List.of("memory");
    }
  }
}
