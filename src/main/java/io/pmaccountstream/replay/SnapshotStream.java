package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.derivation.AccountFold;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The readable snapshots of the chosen accounts, in the reader's order: records of other accounts
 * are skipped (and counted) before decoding, bad records are counted and skipped, progress is
 * reported as records go by. {@link #next()} does it all on one thread; {@link
 * PrefetchingSnapshots} splits it in two stages on threads of their own: {@link #nextRecord()}
 * (fetch, merge, key filter, progress) on one, {@link #decode(ConsumerRecord)} (decode, account
 * filter, bad records) on the other, each stage called from one thread only and in the reader's
 * order.
 */
final class SnapshotStream {

  private final PartitionMergeReader reader;
  private final SnapshotDecoder decoder;
  private final AccountFilter filter;
  private final BadRecords badRecords;
  private final ProgressReporter progress;

  /** Skipped by key, counted by the fetching stage. */
  private long otherByKey;

  /** Skipped by the decoded account id, counted by the decoding stage. */
  private long otherByValue;

  SnapshotStream(
      PartitionMergeReader reader,
      SnapshotDecoder decoder,
      AccountFilter filter,
      BadRecords badRecords,
      ProgressReporter progress) {
    this.reader = reader;
    this.decoder = decoder;
    this.filter = filter;
    this.badRecords = badRecords;
    this.progress = progress;
  }

  /** The next snapshot, or null at the end of the planned offsets. */
  ReadSnapshot next() {
    ConsumerRecord<byte[], byte[]> record;
    while ((record = nextRecord()) != null) {
      ReadSnapshot read = decode(record);
      if (read != null) {
        return read;
      }
    }
    return null;
  }

  /**
   * The next record of a chosen account (by key), undecoded, or null at the end of the planned
   * offsets.
   */
  ConsumerRecord<byte[], byte[]> nextRecord() {
    ConsumerRecord<byte[], byte[]> record;
    while ((record = reader.next()) != null) {
      long read = reader.recordsRead();
      if (read % ProgressReporter.CHECK_EVERY == 0) { // offsetsDone() walks every partition
        progress.onRecord(read, reader.offsetsDone());
      }
      if (!filter.acceptsKey(record.key())) {
        otherByKey++;
        continue;
      }
      return record;
    }
    return null;
  }

  /**
   * The snapshot of a record {@link #nextRecord()} returned, or null when it is bad (counted) or of
   * another account (counted).
   */
  ReadSnapshot decode(ConsumerRecord<byte[], byte[]> record) {
    AccountSnapshot snapshot = decodeValue(record);
    if (snapshot == null) {
      return null;
    }
    if (!filter.accepts(snapshot.getAccountId())) {
      otherByValue++;
      return null;
    }
    return new ReadSnapshot(
        snapshot,
        record.topic(),
        record.partition(),
        record.offset(),
        reader.inRange(record),
        record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
  }

  private AccountSnapshot decodeValue(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      badRecords.add(record.topic(), record.partition(), record.offset(), AccountFold.NO_VALUE, "");
      return null;
    }
    try {
      return decoder.decode(record.topic(), record.value());
    } catch (BadRecordException e) {
      badRecords.add(record.topic(), record.partition(), record.offset(), e.kind(), e.detail());
      return null;
    }
  }

  long recordsRead() {
    return reader.recordsRead();
  }

  /** Records of other accounts skipped; read it once both stages are done. */
  long otherAccounts() {
    return otherByKey + otherByValue;
  }
}
