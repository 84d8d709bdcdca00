package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The readable snapshots of the chosen accounts, in the reader's order: records of other accounts
 * are skipped (and counted) before decoding, bad records are counted and skipped, progress is
 * reported as records go by.
 */
final class SnapshotStream {

  static final String NO_VALUE = "no value (tombstone)";

  private final PartitionMergeReader reader;
  private final SnapshotDecoder decoder;
  private final AccountFilter filter;
  private final BadRecords badRecords;
  private final ProgressReporter progress;
  private long otherAccounts;
  private boolean lastInRange;
  private ConsumerRecord<byte[], byte[]> lastRecord;

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
  AccountSnapshot next() {
    ConsumerRecord<byte[], byte[]> record;
    while ((record = reader.next()) != null) {
      progress.onRecord(reader.recordsRead(), reader.offsetsDone());
      if (!filter.acceptsKey(record.key())) {
        otherAccounts++;
        continue;
      }
      AccountSnapshot snapshot = decode(record);
      if (snapshot == null) {
        continue;
      }
      if (!filter.accepts(snapshot.getAccountId())) {
        otherAccounts++;
        continue;
      }
      lastInRange = reader.inRange(record);
      lastRecord = record;
      return snapshot;
    }
    return null;
  }

  private AccountSnapshot decode(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      badRecords.add(record.topic(), record.partition(), record.offset(), NO_VALUE, "");
      return null;
    }
    try {
      return decoder.decode(record.topic(), record.value());
    } catch (BadRecordException e) {
      String detail = e.getMessage().substring(e.kind().length() + 2);
      badRecords.add(record.topic(), record.partition(), record.offset(), e.kind(), detail);
      return null;
    }
  }

  /** Whether the snapshot last returned lies in the requested range (not in the warm-up). */
  boolean lastInRange() {
    return lastInRange;
  }

  /**
   * Whether the record of the snapshot last returned is keyed by its account id, as every record
   * the poller writes is.
   */
  boolean lastKeyIsAccountId(AccountSnapshot snapshot) {
    byte[] key = lastRecord.key();
    return key != null
        && Arrays.equals(key, snapshot.getAccountId().getBytes(StandardCharsets.UTF_8));
  }

  /** Counts the snapshot last returned as a bad record. */
  void rejectLast(String kind, String detail) {
    badRecords.add(lastRecord.topic(), lastRecord.partition(), lastRecord.offset(), kind, detail);
  }

  long recordsRead() {
    return reader.recordsRead();
  }

  long otherAccounts() {
    return otherAccounts;
  }
}
