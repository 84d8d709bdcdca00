package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import java.util.HashSet;
import java.util.Set;

/**
 * Copies the raw snapshots of a range to a file, in the reader's order (each partition in offset
 * order, partitions interleaved by {@code observedAt}), without derivation: the history exactly as
 * the topic holds it, stale and out-of-order snapshots included.
 */
public final class Exporter {

  private final SnapshotStream snapshots;
  private final SnapshotSink sink;
  private final BadRecords badRecords = new BadRecords();

  public Exporter(
      PartitionMergeReader reader,
      SnapshotDecoder decoder,
      AccountFilter filter,
      SnapshotSink sink,
      ProgressReporter progress) {
    this.snapshots = new SnapshotStream(reader, decoder, filter, badRecords, progress);
    this.sink = sink;
  }

  /**
   * Reads to the end of the plan. The sink is left open: its owner closes it, then asks it where
   * the output went.
   */
  public ReplayReport run() {
    long exported = 0;
    Set<String> accounts = new HashSet<>();
    AccountSnapshot snapshot;
    while ((snapshot = snapshots.next()) != null) {
      if (!snapshots.lastInRange()) {
        continue;
      }
      sink.accept(snapshot);
      accounts.add(snapshot.getAccountId());
      exported++;
    }
    return new ReplayReport(
        snapshots.recordsRead(),
        0,
        exported,
        snapshots.otherAccounts(),
        0,
        0,
        0,
        accounts.size(),
        badRecords);
  }
}
