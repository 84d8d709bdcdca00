package io.pmaccountstream.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Runs a {@link SnapshotStream} (fetching, merging, decoding) on a thread of its own, so that it
 * overlaps with the derivation and the writing on the caller's thread. Snapshots are handed over in
 * batches through a bounded queue: at most {@value #QUEUED_BATCHES} batches of {@value #BATCH_SIZE}
 * wait, so memory stays bounded whatever the history's length.
 *
 * <p>The consumer is used by the prefetch thread only, from start to end of the read; a failure
 * there (broker gone, registry unreachable) is rethrown by {@link #next()} on the caller's thread.
 */
final class PrefetchingSnapshots implements AutoCloseable {

  static final int BATCH_SIZE = 512;
  static final int QUEUED_BATCHES = 8;

  private static final List<ReadSnapshot> END = List.of();

  private final SnapshotStream stream;
  private final BlockingQueue<List<ReadSnapshot>> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
  private final Thread thread;
  private volatile RuntimeException failure;
  private volatile Error fatal;
  private List<ReadSnapshot> batch = List.of();
  private int next;
  private boolean ended;

  PrefetchingSnapshots(SnapshotStream stream, String threadName) {
    this.stream = stream;
    this.thread = new Thread(this::fetch, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  private void fetch() {
    try {
      List<ReadSnapshot> filling = new ArrayList<>(BATCH_SIZE);
      ReadSnapshot read;
      while ((read = stream.next()) != null) {
        filling.add(read);
        if (filling.size() == BATCH_SIZE) {
          queue.put(filling);
          filling = new ArrayList<>(BATCH_SIZE);
        }
      }
      if (!filling.isEmpty()) {
        queue.put(filling);
      }
    } catch (InterruptedException e) {
      // close() stopped us: nobody waits for more.
      return;
    } catch (RuntimeException e) {
      failure = e;
    } catch (Error e) {
      fatal = e;
    }
    try {
      queue.put(END);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The next snapshot, or null at the end.
   *
   * @throws RuntimeException what stopped the prefetch thread (a {@link ReplayException}, a Kafka
   *     or registry failure)
   */
  ReadSnapshot next() {
    if (next == batch.size()) {
      if (ended) {
        return null;
      }
      try {
        batch = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ReplayException("interrupted while reading history", e);
      }
      next = 0;
      if (batch == END) {
        ended = true;
        if (fatal != null) {
          throw fatal;
        }
        if (failure != null) {
          throw failure;
        }
        return null;
      }
    }
    return batch.get(next++);
  }

  /** Records read so far; exact once {@link #next()} returned null. */
  long recordsRead() {
    return stream.recordsRead();
  }

  /** Records of other accounts skipped; exact once {@link #next()} returned null. */
  long otherAccounts() {
    return stream.otherAccounts();
  }

  /** Stops the prefetch thread (if still running) and waits for it. */
  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
