package io.pmaccountstream.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runs a {@link SnapshotStream} on two threads of its own, so that fetching and merging, decoding,
 * and the derivation and writing on the caller's thread overlap: a fetch thread ({@link
 * SnapshotStream#nextRecord()}) hands undecoded records to a decode thread ({@link
 * SnapshotStream#decode}), which hands snapshots to the caller. Each stage keeps the reader's order
 * and runs on one thread, so the snapshots, the bad records and the counts are those of a
 * single-threaded read. Records and snapshots are handed over in batches through bounded queues: at
 * most {@value #QUEUED_BATCHES} batches of {@value #BATCH_SIZE} wait in each, so memory stays
 * bounded whatever the history's length.
 *
 * <p>The consumer is used by the fetch thread only, from start to end of the read; a failure of
 * either thread (broker gone, registry unreachable) is rethrown by {@link #next()} on the caller's
 * thread.
 */
final class PrefetchingSnapshots implements AutoCloseable {

  static final int BATCH_SIZE = 512;
  static final int QUEUED_BATCHES = 8;

  private static final List<ReadSnapshot> END = List.of();
  private static final List<ConsumerRecord<byte[], byte[]>> RECORDS_END = List.of();

  private final SnapshotStream stream;
  private final BlockingQueue<List<ConsumerRecord<byte[], byte[]>>> records =
      new ArrayBlockingQueue<>(QUEUED_BATCHES);
  private final BlockingQueue<List<ReadSnapshot>> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
  private final Thread fetcher;
  private final Thread decoder;
  private volatile RuntimeException failure;
  private volatile Error fatal;
  private List<ReadSnapshot> batch = List.of();
  private int next;
  private boolean ended;

  PrefetchingSnapshots(SnapshotStream stream, String threadName) {
    this.stream = stream;
    this.fetcher = new Thread(this::fetch, threadName);
    this.decoder = new Thread(this::decode, threadName + "-decoder");
    fetcher.setDaemon(true);
    decoder.setDaemon(true);
    decoder.start();
    fetcher.start();
  }

  private void fetch() {
    try {
      List<ConsumerRecord<byte[], byte[]>> filling = new ArrayList<>(BATCH_SIZE);
      ConsumerRecord<byte[], byte[]> record;
      while ((record = stream.nextRecord()) != null) {
        filling.add(record);
        if (filling.size() == BATCH_SIZE) {
          records.put(filling);
          filling = new ArrayList<>(BATCH_SIZE);
        }
      }
      if (!filling.isEmpty()) {
        records.put(filling);
      }
    } catch (InterruptedException e) {
      // close() stopped us: nobody waits for more.
      return;
    } catch (RuntimeException e) {
      if (failure == null) { // else the decoder failed first and interrupted us (a poll throws)
        failure = e;
      }
    } catch (Error e) {
      fatal = e;
    }
    try {
      records.put(RECORDS_END);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void decode() {
    try {
      List<ConsumerRecord<byte[], byte[]>> raw;
      while ((raw = records.take()) != RECORDS_END) {
        List<ReadSnapshot> decoded = new ArrayList<>(raw.size());
        for (int i = 0, n = raw.size(); i < n; i++) {
          ReadSnapshot read = stream.decode(raw.get(i));
          if (read != null) {
            decoded.add(read);
          }
        }
        if (!decoded.isEmpty()) {
          queue.put(decoded);
        }
      }
    } catch (InterruptedException e) {
      // close() stopped us: nobody waits for more.
      return;
    } catch (RuntimeException e) {
      failure = e;
      fetcher.interrupt(); // it may wait for room in a queue nobody empties any more
    } catch (Error e) {
      fatal = e;
      fetcher.interrupt();
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
   * @throws RuntimeException what stopped the fetch or decode thread (a {@link ReplayException}, a
   *     Kafka or registry failure)
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

  /** Stops both threads (if still running) and waits for them. */
  @Override
  public void close() {
    fetcher.interrupt();
    decoder.interrupt();
    try {
      fetcher.join();
      decoder.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
