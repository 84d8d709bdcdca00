package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.Records.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExporterTest {

  private static final String TOPIC = "pm.account.snapshots";

  private final LogConsumer consumer = new LogConsumer(TOPIC, 2, 100);
  private final FakeDecoder decoder = new FakeDecoder();
  private final CollectingSink sink = new CollectingSink();

  private void publish(int partition, AccountSnapshot snapshot) {
    consumer.append(
        partition,
        snapshot.getObservedAt().toEpochMilli(),
        snapshot.getAccountId(),
        decoder.encode(snapshot));
  }

  @Test
  void exportsTheSnapshotsOfTheRangeOnly() {
    AccountSnapshot before = snapshot("a", 0, "1.5", AccountStatus.NORMAL);
    AccountSnapshot first = snapshot("a", 60, "1.4", AccountStatus.NORMAL);
    AccountSnapshot other = snapshot("b", 90, "2.0", AccountStatus.NORMAL);
    AccountSnapshot after = snapshot("a", 200, "1.3", AccountStatus.NORMAL);
    publish(0, before);
    publish(0, first);
    publish(1, other);
    publish(0, after);

    ReplayReport report = export(Records.at(60), Records.at(200), AccountFilter.all());

    assertThat(sink.snapshots).containsExactly(first, other);
    assertThat(report.rangeRecords()).isEqualTo(2);
    assertThat(report.accounts()).isEqualTo(2);
  }

  @Test
  void badRecordsAreCountedWithTheirPositionAndDoNotStopTheExport() {
    publish(0, snapshot("a", 10, "1.5", AccountStatus.NORMAL));
    consumer.append(
        0, Records.at(20).toEpochMilli(), "a", FakeDecoder.bad("unknown schema id", "id 7"));
    consumer.append(
        0, Records.at(30).toEpochMilli(), "a", FakeDecoder.bad("unknown schema id", "id 9"));
    consumer.append(
        1,
        Records.at(35).toEpochMilli(),
        "b",
        FakeDecoder.bad("not Confluent wire format", "3 bytes"));
    consumer.append(1, Records.at(36).toEpochMilli(), "b", null);
    publish(0, snapshot("a", 40, "1.4", AccountStatus.NORMAL));

    ReplayReport report = export(Records.at(0), Records.at(100), AccountFilter.all());

    assertThat(sink.snapshots).hasSize(2);
    BadRecords bad = report.badRecords();
    assertThat(bad.count()).isEqualTo(4);
    assertThat(bad.byKind())
        .containsEntry("unknown schema id", 2L)
        .containsEntry("not Confluent wire format", 1L)
        .containsEntry("no value (tombstone)", 1L);
    assertThat(bad.samples())
        .containsExactly(
            TOPIC + "-0 offset 1: unknown schema id (id 7)",
            TOPIC + "-0 offset 2: unknown schema id (id 9)",
            TOPIC + "-1 offset 0: not Confluent wire format (3 bytes)",
            TOPIC + "-1 offset 1: no value (tombstone)");
  }

  @Test
  void onlyTheFirstFewBadRecordsAreKeptWithTheirPosition() {
    for (int i = 0; i < 12; i++) {
      consumer.append(
          0, Records.at(i).toEpochMilli(), "a", FakeDecoder.bad("undecodable", "garbage " + i));
    }

    ReplayReport report = export(Records.at(0), Records.at(100), AccountFilter.all());

    assertThat(report.badRecords().count()).isEqualTo(12);
    assertThat(report.badRecords().samples()).hasSize(BadRecords.SAMPLES);
  }

  @Test
  void otherAccountsAreSkippedBeforeDecodingAndCounted() {
    publish(0, snapshot("a", 10, "1.5", AccountStatus.NORMAL));
    publish(1, snapshot("b", 11, "1.5", AccountStatus.NORMAL));
    publish(1, snapshot("c", 12, "1.5", AccountStatus.NORMAL));

    ReplayReport report = export(Records.at(0), Records.at(100), AccountFilter.only(Set.of("b")));

    assertThat(sink.snapshots).extracting(AccountSnapshot::getAccountId).containsExactly("b");
    assertThat(report.otherAccounts()).isEqualTo(2);
    assertThat(decoder.decoded).isEqualTo(1);
  }

  private ReplayReport export(java.time.Instant from, java.time.Instant to, AccountFilter filter) {
    ReadPlan plan =
        ReadPlan.of(consumer, TOPIC, new TimeRange(from, to), WarmUp.none(), Duration.ofSeconds(1));
    PartitionMergeReader reader =
        new PartitionMergeReader(consumer, plan, Clock.systemUTC(), Duration.ofSeconds(5));
    return new Exporter(reader, decoder, filter, sink, ProgressReporter.silent()).run();
  }

  static final class CollectingSink implements SnapshotSink {
    final List<AccountSnapshot> snapshots = new ArrayList<>();

    @Override
    public void accept(AccountSnapshot snapshot) {
      snapshots.add(snapshot);
    }

    @Override
    public void close() {}

    @Override
    public List<String> destinations() {
      return List.of("memory");
    }
  }
}
