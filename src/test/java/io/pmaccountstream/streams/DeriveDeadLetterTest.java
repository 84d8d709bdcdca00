package io.pmaccountstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import io.pmaccountstream.testing.TestSnapshots;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every class of bad input record through the live topology: dead-lettered with its original bytes
 * and the reason, skipped, and the next good record still derived; a failing registry holds
 * processing back instead.
 */
class DeriveDeadLetterTest {

  private static final String A = "acct-a";

  @TempDir Path stateDir;

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private LiveTopology live;

  @BeforeEach
  void start() {
    live = new LiveTopology(TopologyConfig.defaults(), stateDir, registry);
  }

  @AfterEach
  void stop() {
    live.close();
  }

  private static String header(TestRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  /** Pipes {@code bad} at offset 1 between two good snapshots and returns its one dead letter. */
  private TestRecord<byte[], byte[]> deadLetterOf(String key, byte[] bad) {
    live.pipe(A, TestSnapshots.of(A).uniMmr("1.8").at(0));
    live.pipeRaw(key, bad);
    live.pipe(A, TestSnapshots.of(A).uniMmr("1.1").at(2));

    List<TestRecord<byte[], byte[]>> deadLetters = live.deadLetters();
    assertThat(deadLetters).hasSize(1);
    TestRecord<byte[], byte[]> letter = deadLetters.get(0);
    assertThat(letter.value()).isEqualTo(bad);
    assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo(key);
    assertThat(header(letter, DeadLetters.TOPIC)).isEqualTo("pm.account.snapshots");
    assertThat(header(letter, DeadLetters.PARTITION)).isEqualTo("0");
    assertThat(header(letter, DeadLetters.OFFSET)).isEqualTo("1");
    assertThat(header(letter, DeadLetters.EXCEPTION)).isNotBlank();
    assertThat(live.transitions()).hasSize(1);
    assertThat(live.levelEvents())
        .extracting(e -> e.getEventId())
        .containsExactly(
            "acct-a|1732363202000|BREACHED|1.50000000", "acct-a|1732363202000|BREACHED|1.20000000");
    return letter;
  }

  @Test
  void aValueThatIsNotConfluentFramedIsDeadLettered() {
    byte[] json = "{\"uniMMR\":\"1.2\"}".getBytes(StandardCharsets.UTF_8);

    TestRecord<byte[], byte[]> letter = deadLetterOf(A, json);

    assertThat(header(letter, DeadLetters.REASON)).isEqualTo(RecordFailures.NOT_FRAMED);
    assertThat(header(letter, DeadLetters.DETAIL)).isEqualTo("16 bytes, first byte 123");
  }

  @Test
  void aBadMagicByteIsDeadLettered() {
    byte[] framedWrongly = live.bytesOf(TestSnapshots.of(A).at(1));
    framedWrongly[0] = 1;

    assertThat(header(deadLetterOf(A, framedWrongly), DeadLetters.REASON))
        .isEqualTo(RecordFailures.NOT_FRAMED);
  }

  @Test
  void aTruncatedAvroPayloadIsDeadLettered() {
    byte[] whole = live.bytesOf(TestSnapshots.of(A).at(1));
    byte[] truncated = Arrays.copyOf(whole, whole.length / 2);

    TestRecord<byte[], byte[]> letter = deadLetterOf(A, truncated);

    assertThat(header(letter, DeadLetters.REASON)).isEqualTo(RecordFailures.UNDECODABLE);
  }

  @Test
  void anUnknownSchemaIdIsDeadLetteredNotFatal() {
    byte[] unknownId = ByteBuffer.allocate(6).put((byte) 0).putInt(4242).put((byte) 2).array();

    TestRecord<byte[], byte[]> letter = deadLetterOf(A, unknownId);

    assertThat(header(letter, DeadLetters.REASON)).isEqualTo(RecordFailures.UNKNOWN_SCHEMA_ID);
    assertThat(header(letter, DeadLetters.DETAIL)).isEqualTo("id 4242");
  }

  @Test
  void aSnapshotNotKeyedByItsAccountIsDeadLetteredWithItsOriginalBytes() {
    byte[] otherAccount = live.bytesOf(TestSnapshots.of("acct-b").uniMmr("1.0").at(1));

    TestRecord<byte[], byte[]> letter = deadLetterOf(A, otherAccount);

    assertThat(header(letter, DeadLetters.REASON)).isEqualTo(AccountFold.KEY_MISMATCH);
    assertThat(header(letter, DeadLetters.DETAIL)).isEqualTo("key 'acct-a', accountId 'acct-b'");
  }

  @Test
  void anUpdateTimeInYear9999IsDeadLetteredAndNeverStored() {
    AccountSnapshot future =
        AccountSnapshot.newBuilder(TestSnapshots.of(A).uniMmr("1.0").at(1))
            .setUpdateTime(Instant.parse("9999-12-31T23:59:59Z"))
            .build();

    TestRecord<byte[], byte[]> letter = deadLetterOf(A, live.bytesOf(future));

    assertThat(header(letter, DeadLetters.REASON)).isEqualTo(AccountFold.UPDATE_TIME_AHEAD);
    assertThat(header(letter, DeadLetters.DETAIL)).startsWith("updateTime 9999-12-31T23:59:59Z");
    // the good snapshot after it was accepted (not stale): the bad one left no trace in the state
    assertThat(live.driver().getKeyValueStore(DerivationTopology.STORE).get(A))
        .extracting("updateTime")
        .isEqualTo(TestSnapshots.instant(2));
  }

  @Test
  void anUpdateTimeWithinTheToleratedLeadIsDerived() {
    AccountSnapshot slightlyAhead =
        AccountSnapshot.newBuilder(TestSnapshots.of(A).uniMmr("1.0").at(0))
            .setUpdateTime(TestSnapshots.instant(0).plusSeconds(300))
            .build();

    live.pipe(A, slightlyAhead);

    assertThat(live.deadLetters()).isEmpty();
    assertThat(live.transitions()).hasSize(1);
  }

  @Test
  void deadLettersCountAsSkippedAndDroppedRecords() {
    live.pipeRaw(A, new byte[] {0, 0, 0});
    live.pipe("acct-b", TestSnapshots.of(A).at(0));

    assertThat(live.deadLetters()).hasSize(2);
    Map<String, Double> totals = new java.util.HashMap<>();
    live.driver()
        .metrics()
        .forEach(
            (name, metric) ->
                totals.merge(
                    name.group() + "/" + name.name(),
                    ((Number) metric.metricValue()).doubleValue(),
                    Double::sum));
    assertThat(totals)
        .containsEntry("stream-task-metrics/dropped-records-total", 2.0)
        .containsEntry(DeriveMetrics.GROUP + "/" + DeriveMetrics.SKIPPED + "-total", 1.0);
  }

  @Test
  void anUnreachableRegistryHoldsProcessingBackInsteadOfSkipping() {
    byte[] valid = live.bytesOf(TestSnapshots.of(A).at(0));
    // a fresh topology whose deserializer has not cached the schema yet
    live.close();
    InMemorySchemaRegistry shared = registry;
    live = new LiveTopology(TopologyConfig.defaults(), stateDir.resolve("2"), shared);
    shared.setUnreachable(true);

    assertThatThrownBy(() -> live.pipeRaw(A, valid))
        .isInstanceOf(StreamsException.class)
        .hasRootCauseInstanceOf(ConnectException.class);
    shared.setUnreachable(false);
    assertThat(live.deadLetters()).isEmpty();
    List<AccountStatusTransition> none = live.transitions();
    assertThat(none).isEmpty();
  }
}
