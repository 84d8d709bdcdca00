package io.pmaccountstream.poller;

import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes snapshots keyed by accountId, with the record timestamp at observedAt, without ever
 * blocking the poller.
 *
 * <p>Each account has one slot: at most one snapshot in flight and at most one waiting. A snapshot
 * offered while an older one still waits replaces it (conflation: while Kafka is unavailable,
 * memory stays bounded at two snapshots per account and the latest state wins), and is counted.
 * With one send in flight per account, the producer's retries cannot reorder an account's
 * snapshots. A send that fails is put back unless a newer snapshot is already waiting, so nothing
 * is dropped silently.
 */
public final class SnapshotPublisher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);

  private final Producer<String, AccountSnapshot> producer;
  private final String topic;
  private final Duration retryBackoff;
  private final MeterRegistry meters;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Slot> slots = new HashMap<>();
  private final LinkedHashSet<String> ready = new LinkedHashSet<>();
  private final Thread sender;
  private volatile boolean accepting = true;
  private volatile boolean running = true;
  private long notBeforeNanos;

  private static final class Slot {
    AccountSnapshot waiting;
    boolean inFlight;
  }

  public SnapshotPublisher(
      Producer<String, AccountSnapshot> producer,
      String topic,
      Duration retryBackoff,
      MeterRegistry meters) {
    this.producer = producer;
    this.topic = topic;
    this.retryBackoff = retryBackoff;
    this.meters = meters;
    this.sender = new Thread(this::sendLoop, "snapshot-sender");
    this.sender.setDaemon(true);
    this.sender.start();
  }

  /** Queues the snapshot for sending; returns at once. */
  public void offer(AccountSnapshot snapshot) {
    if (!accepting) {
      throw new IllegalStateException("publisher is closing");
    }
    String account = snapshot.getAccountId();
    lock.lock();
    try {
      Slot slot = slots.computeIfAbsent(account, a -> new Slot());
      if (slot.waiting != null) {
        count("conflated", account);
      }
      slot.waiting = snapshot;
      if (!slot.inFlight) {
        ready.add(account);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Snapshots waiting or in flight, over all accounts. */
  public int unsent() {
    lock.lock();
    try {
      int n = 0;
      for (Slot slot : slots.values()) {
        n += (slot.waiting != null ? 1 : 0) + (slot.inFlight ? 1 : 0);
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  private void sendLoop() {
    while (true) {
      List<AccountSnapshot> batch;
      lock.lock();
      try {
        while (running && (ready.isEmpty() || System.nanoTime() < notBeforeNanos)) {
          long waitNanos =
              ready.isEmpty()
                  ? TimeUnit.MILLISECONDS.toNanos(200)
                  : notBeforeNanos - System.nanoTime();
          changed.awaitNanos(Math.max(1, waitNanos));
        }
        if (!running && ready.isEmpty()) {
          return;
        }
        batch = takeReady();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        lock.unlock();
      }
      batch.forEach(this::send);
    }
  }

  private List<AccountSnapshot> takeReady() {
    List<AccountSnapshot> batch = new ArrayList<>(ready.size());
    for (String account : ready) {
      Slot slot = slots.get(account);
      if (!slot.inFlight && slot.waiting != null) {
        batch.add(slot.waiting);
        slot.waiting = null;
        slot.inFlight = true;
      }
    }
    ready.clear();
    return batch;
  }

  private void send(AccountSnapshot snapshot) {
    ProducerRecord<String, AccountSnapshot> record =
        new ProducerRecord<>(
            topic,
            null,
            snapshot.getObservedAt().toEpochMilli(),
            snapshot.getAccountId(),
            snapshot);
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error == null) {
              done(snapshot);
            } else {
              failed(snapshot, error);
            }
          });
    } catch (KafkaException e) {
      failed(snapshot, e);
    }
  }

  private void done(AccountSnapshot snapshot) {
    String account = snapshot.getAccountId();
    count("published", account);
    lock.lock();
    try {
      Slot slot = slots.get(account);
      slot.inFlight = false;
      if (slot.waiting != null) {
        ready.add(account);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void failed(AccountSnapshot snapshot, Exception error) {
    String account = snapshot.getAccountId();
    count("send_failed", account);
    log.warn(
        "snapshot {} of account {} not sent yet, will retry: {}",
        snapshot.getSequence(),
        account,
        error.toString());
    lock.lock();
    try {
      Slot slot = slots.get(account);
      slot.inFlight = false;
      if (slot.waiting == null) {
        slot.waiting = snapshot;
      } else {
        count("conflated", account);
      }
      ready.add(account);
      notBeforeNanos = System.nanoTime() + retryBackoff.toNanos();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
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
      while (hasUnsent() && System.nanoTime() < deadline) {
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
    for (Slot slot : slots.values()) {
      if (slot.waiting != null || slot.inFlight) {
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
   * Producer settings the issue requires: idempotent, acks=all, compressed, nothing dropped by the
   * client.
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
