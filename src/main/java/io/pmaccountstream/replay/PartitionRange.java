package io.pmaccountstream.replay;

/**
 * The offsets one partition is read over: {@code [start, stop)}, of which {@code [emitFrom, stop)}
 * is the requested time range and {@code [start, emitFrom)} the warm-up.
 *
 * @param partition the partition number
 * @param start first offset read (the warm-up's start, or {@code emitFrom} without warm-up)
 * @param emitFrom first offset whose timestamp is at or after {@code --from}
 * @param stop first offset not read: the first offset at or after {@code --to}, or the end of the
 *     partition (its last stable offset) when the read started, whichever is lower
 */
public record PartitionRange(int partition, long start, long emitFrom, long stop) {

  public PartitionRange {
    if (start > emitFrom || emitFrom > stop) {
      throw new IllegalArgumentException(
          "partition "
              + partition
              + ": need start <= emitFrom <= stop, got "
              + start
              + ", "
              + emitFrom
              + ", "
              + stop);
    }
  }

  /** Offsets to read, warm-up included. */
  public long size() {
    return stop - start;
  }

  public boolean inRange(long offset) {
    return offset >= emitFrom && offset < stop;
  }
}
