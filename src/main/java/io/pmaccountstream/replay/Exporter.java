package io.pmaccountstream.replay;

import java.util.HashSet;
import java.util.Set;

/**
 * Copies the raw snapshots of a range to a file, in the reader's order (each partition in offset
 * order, partitions interleaved by {@code observedAt}), without derivation: the history exactly as
 * the topic holds it, stale and out-of-order snapshots included.
 */
public final class Exporter {

  private final SnapshotStream stream;
  private final SnapshotSink sink;
  private final BadRecords badRecords = new BadRecords();

  public Exporter(
      PartitionMergeReader reader,
      SnapshotDecoder decoder,
      AccountFilter filter,
      SnapshotSink sink,
      ProgressReporter progress) {
    this.stream = new SnapshotStream(reader, decoder, filter, badRecords, progress);
    this.sink = sink;
  }

  /**
   * Reads to the end of the plan; call once. Reading and decoding run on a thread of their own
   * ({@link PrefetchingSnapshots}), the writing on the caller's. The sink is left open: its owner
   * closes it, then asks it where the output went.
   */
  public ReplayReport run() {
    long exported = 0;
    Set<String> accounts = new HashSet<>();
    try (PrefetchingSnapshots snapshots = new PrefetchingSnapshots(stream, "export-reader")) {
      ReadSnapshot read;
      while ((read = snapshots.next()) != null) {
        if (read.inRange()) {
          sink.accept(read.snapshot());
          accounts.add(read.snapshot().getAccountId());
          exported++;
        }
      }
    }
    return new ReplayReport(
        stream.recordsRead(),
        0,
        exported,
        stream.otherAccounts(),
        0,
        0,
        0,
        accounts.size(),
        badRecords);
  }
}
