package io.pmaccountstream.replay;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the planned offsets of every partition of a topic as one stream: each partition in offset
 * order, the partitions interleaved by record timestamp.
 *
 * <p><b>Why offset order.</b> The live Kafka Streams application processes each partition in offset
 * order, and an account's snapshots all live in one partition (the key is the account id). Feeding
 * the derivation in the same order is what makes a replay reproduce the live events exactly,
 * including for snapshots that arrived out of order (a late poller instance, a retry): the
 * derivation's staleness rule sees them in the same order it saw live and decides the same way.
 * Sorting an account's records by {@code observedAt} instead would accept a record that live
 * rejected as stale, or the reverse. Across partitions order does not change any result (state is
 * per account); interleaving by timestamp keeps the output roughly chronological.
 *
 * <p><b>Bounded memory.</b> A k-way merge: a priority queue holds at most one head record per
 * partition, ordered by (timestamp, partition). Only partitions whose buffer ran empty are fetched
 * (the others are paused), so at most one poll's worth of records ({@code max.poll.records}) is
 * buffered per partition, whatever the size of the history.
 *
 * <p>The consumer must be dedicated to this reader: it is assigned manually (no consumer group, no
 * committed offsets) and should use {@code isolation.level=read_committed}. Not thread-safe.
 */
public final class PartitionMergeReader implements AutoCloseable {

  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

  private final Consumer<byte[], byte[]> consumer;
  private final ReadPlan plan;
  private final Clock clock;
  private final Duration stallTimeout;
  private final List<Cursor> starving = new ArrayList<>();
  private final PriorityQueue<Cursor> heads = new PriorityQueue<>(new HeadOrder());

  /**
   * The cursor the last record came from while its head still comes first: consecutive records of
   * one partition (the common case: a buffer holds a whole poll of it) skip the queue. Never in
   * {@link #heads}; it comes before every cursor there.
   */
  private Cursor current;

  private final List<Cursor> cursors = new ArrayList<>();
  private final Cursor[] byPartition;
  private final List<TopicPartition> pausedNow = new ArrayList<>();
  private long recordsRead;

  /**
   * Assigns the consumer to the planned partitions and seeks each to its start.
   *
   * @param stallTimeout how long to wait without any progress before giving up (broker gone)
   */
  public PartitionMergeReader(
      Consumer<byte[], byte[]> consumer, ReadPlan plan, Clock clock, Duration stallTimeout) {
    this.consumer = consumer;
    this.plan = plan;
    this.clock = clock;
    this.stallTimeout = stallTimeout;
    List<TopicPartition> tps = new ArrayList<>();
    int maxPartition = -1;
    for (PartitionRange range : plan.partitions()) {
      Cursor cursor = new Cursor(new TopicPartition(plan.topic(), range.partition()), range);
      cursors.add(cursor);
      tps.add(cursor.tp);
      maxPartition = Math.max(maxPartition, range.partition());
    }
    this.byPartition = new Cursor[maxPartition + 1];
    cursors.forEach(c -> byPartition[c.partition] = c);
    consumer.assign(tps);
    for (Cursor cursor : cursors) {
      if (cursor.done) {
        continue;
      }
      consumer.seek(cursor.tp, cursor.range.start());
      starving.add(cursor);
    }
  }

  public ReadPlan plan() {
    return plan;
  }

  /**
   * The next record in merged order, or null once every partition reached its stop offset.
   *
   * @throws ReplayException when no partition made progress for the stall timeout
   */
  public ConsumerRecord<byte[], byte[]> next() {
    if (!starving.isEmpty()) {
      fill();
      if (current != null) {
        heads.add(current); // the refilled cursors may come first
        current = null;
      }
    }
    Cursor cursor = current != null ? current : heads.poll();
    current = null;
    if (cursor == null) {
      return null;
    }
    ConsumerRecord<byte[], byte[]> record = cursor.buffer.pollFirst();
    cursor.consumed = record.offset() + 1;
    recordsRead++;
    if (!cursor.buffer.isEmpty()) {
      Cursor first = heads.peek();
      if (first == null || HeadOrder.before(cursor, first)) {
        current = cursor;
      } else {
        heads.add(cursor);
      }
    } else if (cursor.consumed >= cursor.range.stop()) {
      cursor.done = true;
    } else {
      starving.add(cursor);
    }
    return record;
  }

  /** Whether a record returned by {@link #next()} lies in the requested range (not warm-up). */
  public boolean inRange(ConsumerRecord<?, ?> record) {
    return byPartition[record.partition()].range.inRange(record.offset());
  }

  /** Records returned so far. */
  public long recordsRead() {
    return recordsRead;
  }

  /**
   * Offsets behind us over all partitions, counting records returned and offsets skipped
   * (transaction markers, aborted records).
   */
  public long offsetsDone() {
    long done = 0;
    for (Cursor c : cursors) {
      done += (c.done ? c.range.stop() : c.consumed) - c.range.start();
    }
    return done;
  }

  @Override
  public void close() {
    consumer.close();
  }

  /** Polls until every partition not done has a buffered record. */
  private void fill() {
    long lastProgress = clock.millis();
    while (!starving.isEmpty()) {
      pauseAllBut(starving);
      ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL_TIMEOUT);
      boolean progress = !polled.isEmpty();
      for (TopicPartition tp : polled.partitions()) {
        Cursor cursor = byPartition[tp.partition()];
        for (ConsumerRecord<byte[], byte[]> record : polled.records(tp)) {
          if (record.offset() < cursor.range.stop()) {
            cursor.buffer.addLast(record);
          }
        }
      }
      for (int i = starving.size() - 1; i >= 0; i--) {
        Cursor cursor = starving.get(i);
        if (!cursor.buffer.isEmpty()) {
          heads.add(cursor);
          starving.remove(i);
        } else {
          long position = consumer.position(cursor.tp);
          if (position > cursor.consumed) {
            progress = true;
            cursor.consumed = Math.min(position, cursor.range.stop());
          }
          if (position >= cursor.range.stop()) {
            cursor.done = true;
            starving.remove(i);
          }
        }
      }
      long now = clock.millis();
      if (progress) {
        lastProgress = now;
      } else if (now - lastProgress >= stallTimeout.toMillis()) {
        throw new ReplayException(
            "no progress reading "
                + plan.topic()
                + " for "
                + stallTimeout.toSeconds()
                + " s; still waiting for partitions "
                + starving.stream().map(c -> c.partition + " at offset " + c.consumed).toList()
                + " (is the broker reachable?)");
      }
    }
  }

  private void pauseAllBut(List<Cursor> fetch) {
    pausedNow.clear();
    for (Cursor c : cursors) {
      if (!fetch.contains(c)) {
        pausedNow.add(c.tp);
      }
    }
    consumer.pause(pausedNow);
    List<TopicPartition> resume = new ArrayList<>(fetch.size());
    fetch.forEach(c -> resume.add(c.tp));
    consumer.resume(resume);
  }

  /** By head record timestamp, then by partition. */
  private static final class HeadOrder implements Comparator<Cursor> {

    static boolean before(Cursor a, Cursor b) {
      long ta = a.headTimestamp();
      long tb = b.headTimestamp();
      return ta < tb || (ta == tb && a.partition < b.partition);
    }

    @Override
    public int compare(Cursor a, Cursor b) {
      int byTime = Long.compare(a.headTimestamp(), b.headTimestamp());
      return byTime != 0 ? byTime : Integer.compare(a.partition, b.partition);
    }
  }

  /** One partition's read position and buffer. */
  private static final class Cursor {
    final TopicPartition tp;
    final int partition;
    final PartitionRange range;
    final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
    long consumed;
    boolean done;

    Cursor(TopicPartition tp, PartitionRange range) {
      this.tp = tp;
      this.partition = range.partition();
      this.range = range;
      this.consumed = range.start();
      this.done = range.start() >= range.stop();
    }

    long headTimestamp() {
      return buffer.peekFirst().timestamp();
    }
  }
}
