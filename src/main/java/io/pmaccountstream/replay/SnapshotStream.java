package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.derivation.AccountFold;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The readable snapshots of the chosen accounts, in the reader's order: records of other accounts
 * are skipped (and counted) before decoding, bad records are counted and skipped, progress is
 * reported as records go by. Single-threaded; {@link PrefetchingSnapshots} runs it on a thread of
 * its own.
 */
final class SnapshotStream {

  private final PartitionMergeReader reader;
  private final SnapshotDecoder decoder;
  private final AccountFilter filter;
  private final BadRecords badRecords;
  private final ProgressReporter progress;
  private long otherAccounts;

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
      return new ReadSnapshot(
          snapshot,
          record.topic(),
          record.partition(),
          record.offset(),
          reader.inRange(record),
          record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
    }
    return null;
  }

  private AccountSnapshot decode(ConsumerRecord<byte[], byte[]> record) {
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

  long otherAccounts() {
    return otherAccounts;
  }
}
