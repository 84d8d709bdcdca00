package io.pmaccountstream.poller;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.config.CauseChain;
import io.pmaccountstream.retry.Backoff;
import io.pmaccountstream.serde.SchemaRegistryException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes snapshots keyed by accountId, with the record timestamp at observedAt, in order and
 * without ever blocking the poller.
 *
 * <p>Each account has a lane: its snapshots wait in order, and one of them at a time is in flight
 * (so neither the producer's retries nor our re-sends can reorder an account's history; the
 * idempotent producer keeps a retried record from being written twice). While the broker is away
 * the lanes grow, up to {@code poll.publish.buffer.bytes} of encoded snapshots over all accounts;
 * past that bound the oldest waiting snapshot of the account with the most bytes waiting is dropped
 * (conflation: the latest state always wins), counted per account in {@code
 * pmas.snapshots.conflated}. Below the bound nothing is dropped.
 *
 * <p>A send error that a retry may fix (a {@link RetriableException}: timeout, no leader, broker
 * down) puts the snapshot back at the head of its lane and pauses that lane only, doubling from
 * {@code publish.retry.backoff} up to 32 times it. Any other error (the serializer refuses a value,
 * the record is too large, the topic is not authorised, the record cannot even be built) is fatal
 * for that snapshot: it becomes a dead letter ({@code UNPUBLISHABLE}) and a metric, and the
 * account's next snapshot goes on. Nothing thrown here ends the sender thread.
 */
public final class SnapshotPublisher implements AutoCloseable {

  /** The dead-letter kind of a snapshot Kafka refused for good. */
  public static final String UNPUBLISHABLE = "UNPUBLISHABLE";

  /** What a snapshot whose size cannot be measured is charged against the buffer. */
  static final int UNMEASURED_BYTES = 512;

  private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);
  private static final int MAX_BACKOFF_DOUBLINGS = 5;
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  static final Duration MAX_SILENCE = Duration.ofMinutes(2);

  private final Producer<String, AccountSnapshot> producer;
  private final String topic;
  private final Duration retryBackoff;
  private final Backoff sendBackoff;
  private final long bufferBytes;
  private final Consumer<DeadLetter> deadLetters;
  private final String instanceId;
  private final MeterRegistry meters;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Lane> lanes = new HashMap<>();
  private final LoopHeartbeat heartbeat = new LoopHeartbeat("snapshot-sender", MAX_SILENCE);
  private final Thread sender;
  private long buffered;
  private volatile boolean accepting = true;
  private volatile boolean running = true;

  /** A snapshot waiting or in flight, with what it costs the buffer and when it was offered. */
  private record Entry(AccountSnapshot snapshot, long bytes, Instant offeredAt) {}

  /** Last snapshot of an account that Kafka acknowledged, and when the poller offered it. */
  public record Published(long sequence, Instant offeredAt) {}

  /** One account's snapshots in order; touched under the lock only. */
  private static final class Lane {
    final ArrayDeque<Entry> waiting = new ArrayDeque<>();
    Entry inFlight;
    long waitingBytes;
    long notBeforeNanos;
    int failuresInRow;
    Published published;
  }

  public SnapshotPublisher(
      Producer<String, AccountSnapshot> producer,
      String topic,
      Duration retryBackoff,
      long bufferBytes,
      Consumer<DeadLetter> deadLetters,
      String instanceId,
      MeterRegistry meters,
      Clock clock) {
    this.producer = producer;
    this.topic = topic;
    this.retryBackoff = retryBackoff;
    this.sendBackoff = sendBackoff(retryBackoff);
    this.bufferBytes = bufferBytes;
    this.deadLetters = deadLetters;
    this.instanceId = instanceId;
    this.meters = meters;
    this.clock = clock;
    Gauge.builder("pmas.snapshots.buffered.bytes", this, SnapshotPublisher::bufferedBytes)
        .description("Encoded bytes of snapshots waiting or in flight (bound: buffer bytes)")
        .baseUnit("bytes")
        .register(meters);
    Gauge.builder("pmas.snapshots.unsent", this, SnapshotPublisher::unsent)
        .description("Snapshots waiting or in flight, over all accounts")
        .register(meters);
    Gauge.builder(
            "pmas.snapshots.unsent.oldest.age",
            this,
            p -> p.oldestUnsentAge().map(d -> d.toMillis() / 1000.0).orElse(0.0))
        .description("Age of the oldest snapshot not yet acknowledged by Kafka (0 when none)")
        .baseUnit("seconds")
        .register(meters);
    this.sender = new Thread(this::sendLoop, "snapshot-sender");
    this.sender.setDaemon(true);
    heartbeat.runsOn(sender);
    heartbeat.registerIn(meters);
    meters.counter("pmas.loop.errors", "loop", heartbeat.name());
    this.sender.start();
  }

  /** Queues the snapshot behind the account's earlier ones; returns at once. */
  public void offer(AccountSnapshot snapshot) {
    if (!accepting) {
      throw new IllegalStateException("publisher is closing");
    }
    String account = snapshot.getAccountId();
    Entry entry = new Entry(snapshot, encodedSize(snapshot), clock.instant());
    lock.lock();
    try {
      Lane lane = lanes.computeIfAbsent(account, a -> new Lane());
      lane.waiting.addLast(entry);
      lane.waitingBytes += entry.bytes();
      buffered += entry.bytes();
      while (buffered > bufferBytes && conflateOne()) {
        // drop until under the bound, or until only each account's latest state is left
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Drops the oldest waiting snapshot of the account with the most bytes waiting, keeping each
   * account's newest. False when no account has more than its newest waiting.
   */
  private boolean conflateOne() {
    String victim = null;
    Lane largest = null;
    for (Map.Entry<String, Lane> e : lanes.entrySet()) {
      Lane lane = e.getValue();
      if (lane.waiting.size() > 1
          && (largest == null || lane.waitingBytes > largest.waitingBytes)) {
        victim = e.getKey();
        largest = lane;
      }
    }
    if (largest == null) {
      return false;
    }
    Entry dropped = largest.waiting.removeFirst();
    largest.waitingBytes -= dropped.bytes();
    buffered -= dropped.bytes();
    meters.counter("pmas.snapshots.conflated", "account", victim).increment();
    return true;
  }

  /** What a snapshot costs the buffer: its Avro encoding plus its key. */
  static long encodedSize(AccountSnapshot snapshot) {
    try {
      return snapshot.toByteBuffer().remaining() + (long) snapshot.getAccountId().length();
    } catch (IOException | RuntimeException e) {
      // The serializer will give its own verdict on the send; the buffer charges a fixed size.
      return UNMEASURED_BYTES;
    }
  }

  /** Snapshots waiting or in flight, over all accounts. */
  public int unsent() {
    lock.lock();
    try {
      int n = 0;
      for (Lane lane : lanes.values()) {
        n += lane.waiting.size() + (lane.inFlight != null ? 1 : 0);
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Encoded bytes waiting or in flight, over all accounts. */
  public long bufferedBytes() {
    lock.lock();
    try {
      return buffered;
    } finally {
      lock.unlock();
    }
  }

  /** How long the oldest snapshot not yet acknowledged has waited; empty when none waits. */
  public Optional<Duration> oldestUnsentAge() {
    lock.lock();
    try {
      Instant oldest = null;
      for (Lane lane : lanes.values()) {
        Entry head = lane.inFlight != null ? lane.inFlight : lane.waiting.peekFirst();
        if (head != null && (oldest == null || head.offeredAt().isBefore(oldest))) {
          oldest = head.offeredAt();
        }
      }
      return oldest == null
          ? Optional.empty()
          : Optional.of(Duration.between(oldest, clock.instant()));
    } finally {
      lock.unlock();
    }
  }

  /** The account's last snapshot Kafka acknowledged, if any. */
  public Optional<Published> lastPublished(String account) {
    lock.lock();
    try {
      Lane lane = lanes.get(account);
      return lane == null ? Optional.empty() : Optional.ofNullable(lane.published);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits up to the timeout until every snapshot of these accounts offered so far is acknowledged
   * (or given up as unpublishable). Returns how many of theirs are still unsent at the timeout.
   */
  public int flush(Collection<String> accounts, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      int unsent = unsent(accounts);
      while (unsent > 0 && deadline - System.nanoTime() > 0) {
        changed.awaitNanos(
            Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100)));
        unsent = unsent(accounts);
      }
      return unsent;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unsent(accounts);
    } finally {
      lock.unlock();
    }
  }

  private int unsent(Collection<String> accounts) {
    int n = 0;
    for (String account : accounts) {
      Lane lane = lanes.get(account);
      if (lane != null) {
        n += lane.waiting.size() + (lane.inFlight != null ? 1 : 0);
      }
    }
    return n;
  }

  /** The sender thread's pulse, for liveness. */
  public LoopHeartbeat heartbeat() {
    return heartbeat;
  }

  private void sendLoop() {
    while (true) {
      heartbeat.beat();
      List<Entry> batch;
      lock.lock();
      try {
        batch = takeSendable();
        if (batch.isEmpty()) {
          if (!running) {
            heartbeat.stopped();
            return;
          }
          changed.awaitNanos(nextWakeNanos());
          continue;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        heartbeat.stopped();
        return;
      } finally {
        lock.unlock();
      }
      for (int i = 0; i < batch.size(); i++) {
        heartbeat.beat();
        boolean reachable = true;
        try {
          reachable = send(batch.get(i));
        } catch (RuntimeException e) {
          // send() already turns every error into done or failed; this is the loop's last guard.
          meters.counter("pmas.loop.errors", "loop", heartbeat.name()).increment();
          log.error("snapshot sender: unexpected error, going on", e);
        }
        if (!reachable) {
          putBack(batch.subList(i + 1, batch.size()));
          break;
        }
      }
    }
  }

  /**
   * Puts snapshots taken for sending back at the head of their lanes, unsent and not counted as
   * failures: a send blocked for {@code max.block.ms} on missing metadata (the broker is away), and
   * the others of its batch would block just as long, one after the other.
   */
  private void putBack(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    lock.lock();
    try {
      long notBefore = System.nanoTime() + retryBackoff.toNanos();
      for (Entry entry : entries) {
        Lane lane = lanes.get(entry.snapshot().getAccountId());
        lane.inFlight = null;
        lane.waiting.addFirst(entry);
        lane.waitingBytes += entry.bytes();
        lane.notBeforeNanos = notBefore;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The head of every lane that has nothing in flight and is not backing off, now in flight. */
  private List<Entry> takeSendable() {
    long now = System.nanoTime();
    List<Entry> batch = new ArrayList<>();
    for (Lane lane : lanes.values()) {
      if (lane.inFlight == null && !lane.waiting.isEmpty() && now - lane.notBeforeNanos >= 0) {
        Entry head = lane.waiting.removeFirst();
        lane.waitingBytes -= head.bytes();
        lane.inFlight = head;
        batch.add(head);
      }
    }
    return batch;
  }

  private long nextWakeNanos() {
    long now = System.nanoTime();
    long wait = IDLE_WAIT_NANOS;
    for (Lane lane : lanes.values()) {
      if (lane.inFlight == null && !lane.waiting.isEmpty()) {
        wait = Math.min(wait, lane.notBeforeNanos - now);
      }
    }
    return Math.max(1, wait);
  }

  /**
   * Hands one snapshot to the producer; whatever goes wrong comes back as done or failed. False
   * when the producer itself threw a retriable error (no metadata: the broker is unreachable).
   */
  private boolean send(Entry entry) {
    AccountSnapshot snapshot = entry.snapshot();
    try {
      ProducerRecord<String, AccountSnapshot> record =
          new ProducerRecord<>(
              topic,
              null,
              snapshot.getObservedAt().toEpochMilli(),
              snapshot.getAccountId(),
              snapshot);
      producer.send(
          record,
          (metadata, error) -> {
            if (error == null) {
              done(entry);
            } else {
              failed(entry, error);
            }
          });
      return true;
    } catch (RuntimeException e) {
      failed(entry, e);
      return !isRetriable(e);
    }
  }

  /**
   * The pauses of a lane (and of the push-event sender) after failed sends in a row: {@code
   * retryBackoff}, doubling with each failure up to {@value #MAX_BACKOFF_DOUBLINGS} times, without
   * jitter.
   */
  static Backoff sendBackoff(Duration retryBackoff) {
    return Backoff.withoutJitter(
        retryBackoff, retryBackoff.multipliedBy(1L << MAX_BACKOFF_DOUBLINGS));
  }

  /**
   * Whether trying again later can help: Kafka's retriable errors, and a serializer that could not
   * reach the schema registry or got a 5xx from it (the producer itself never retries those). A
   * registry outage must hold snapshots back in order, not dead-letter the history.
   */
  static boolean isRetriable(Exception error) {
    return error instanceof RetriableException
        || CauseChain.find(error, SchemaRegistryException.class)
            .map(SchemaRegistryException::isRetriable)
            .orElse(false);
  }

  private void done(Entry entry) {
    String account = entry.snapshot().getAccountId();
    count("published", account);
    lock.lock();
    try {
      Lane lane = lanes.get(account);
      release(lane, entry);
      lane.failuresInRow = 0;
      lane.published = new Published(entry.snapshot().getSequence(), entry.offeredAt());
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void failed(Entry entry, Exception error) {
    if (isRetriable(error)) {
      retryLater(entry, error);
    } else {
      deadLetter(entry, error);
    }
  }

  private void retryLater(Entry entry, Exception error) {
    AccountSnapshot snapshot = entry.snapshot();
    String account = snapshot.getAccountId();
    count("send_failed", account);
    lock.lock();
    try {
      Lane lane = lanes.get(account);
      lane.inFlight = null;
      lane.waiting.addFirst(entry);
      lane.waitingBytes += entry.bytes();
      lane.failuresInRow++;
      Duration backoff = sendBackoff.delay(lane.failuresInRow - 1);
      lane.notBeforeNanos = System.nanoTime() + backoff.toNanos();
      log.warn(
          "snapshot {} of account {} not sent yet, retrying in {}: {}",
          snapshot.getSequence(),
          account,
          backoff,
          error.toString());
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void deadLetter(Entry entry, Exception error) {
    AccountSnapshot snapshot = entry.snapshot();
    String account = snapshot.getAccountId();
    count("dead_lettered", account);
    log.error(
        "snapshot {} of account {} refused by Kafka for good, kept in the dead-letter topic: {}",
        snapshot.getSequence(),
        account,
        error.toString());
    lock.lock();
    try {
      release(lanes.get(account), entry);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    deadLetters.accept(
        new DeadLetter(
            account,
            snapshot.getObservedAt(),
            UNPUBLISHABLE,
            OptionalInt.empty(),
            Optional.empty(),
            "snapshot " + snapshot.getSequence() + " could not be published: " + error,
            "Kafka refused this record for good; the account's next snapshots go on. A value"
                + " outside the schema is a bug in the input policy: report it with this record.",
            describe(snapshot),
            instanceId));
  }

  private static Optional<String> describe(AccountSnapshot snapshot) {
    try {
      return Optional.of(snapshot.toString());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private void release(Lane lane, Entry entry) {
    lane.inFlight = null;
    buffered -= entry.bytes();
  }

  private void count(String outcome, String account) {
    meters.counter("pmas.snapshots", "outcome", outcome, "account", account).increment();
  }

  /**
   * Stops accepting, sends everything waiting and in flight within the timeout, then closes the
   * producer. Returns the number of snapshots left unsent (0 on a clean shutdown).
   */
  public int close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    accepting = false;
    lock.lock();
    try {
      while (hasUnsent() && deadline - System.nanoTime() > 0) {
        changed.awaitNanos(
            Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      running = false;
      changed.signalAll();
      lock.unlock();
    }
    int unsent = unsent();
    producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    if (unsent > 0) {
      log.error("closed with {} snapshot(s) unsent (timeout {})", unsent, timeout);
    }
    return unsent;
  }

  private boolean hasUnsent() {
    for (Lane lane : lanes.values()) {
      if (!lane.waiting.isEmpty() || lane.inFlight != null) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /**
   * Producer settings: idempotent, acks=all, compressed, nothing dropped by the client, Kafka's 5
   * ms linger. Benchmark sections 4 and 5 measure linger 0 against it: 4 ms off an at-least-once
   * event's median (its p99 moved either way within the noise of the run), for 9-17 % more poller
   * CPU at 1,000 changing accounts a second; a risk event's time to detect is the poll interval's
   * seconds, so the linger stays. {@code kafka.linger.ms} changes it.
   */
  public static Map<String, Object> producerSettings() {
    return Map.of(
        "acks", "all",
        "enable.idempotence", "true",
        "compression.type", "lz4",
        "linger.ms", "5",
        "max.in.flight.requests.per.connection", "5",
        "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
        "value.serializer", "io.pmaccountstream.serde.ConfluentAvroSerializer");
  }
}
