package io.pmaccountstream.poller;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.avro.RiskLevelChange;
import io.pmaccountstream.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link RiskLevelChange}s keyed by accountId, with the record timestamp at eventTime, in
 * the order received and without ever blocking the stream's thread.
 *
 * <p>Events wait in a queue bounded at {@link #MAX_WAITING}; one is in flight at a time (they are
 * rare: a risk level changes a few times a day). A send error that a retry may fix (a Kafka
 * retriable error, the registry unreachable) keeps the event at the head and retries it, doubling
 * from {@code publish.retry.backoff} up to 32 times it; any other error makes it a dead letter
 * ({@code UNPUBLISHABLE_PUSH_EVENT}) and the next one goes on. An event that finds the queue full
 * is counted ({@code pmas.push.risk.level.changes{outcome=overflow}}) and logged: the poll it
 * triggered still publishes the account's state. Nothing thrown here ends the sender thread.
 */
public final class RiskLevelChangePublisher implements AutoCloseable {

  /** The dead-letter kind of an event Kafka refused for good. */
  public static final String UNPUBLISHABLE = "UNPUBLISHABLE_PUSH_EVENT";

  static final int MAX_WAITING = 10_000;
  static final Duration MAX_SILENCE = Duration.ofMinutes(2);
  private static final Logger log = LoggerFactory.getLogger(RiskLevelChangePublisher.class);

  private final Producer<String, RiskLevelChange> producer;
  private final String topic;
  private final Backoff sendBackoff;
  private final Consumer<DeadLetter> deadLetters;
  private final String instanceId;
  private final MeterRegistry meters;
  private final Clock clock;
  private final BlockingQueue<RiskLevelChange> queue = new LinkedBlockingQueue<>(MAX_WAITING);
  private final LoopHeartbeat heartbeat = new LoopHeartbeat("risk-event-sender", MAX_SILENCE);
  private final Thread sender;
  private volatile RiskLevelChange inFlight;
  private volatile boolean accepting = true;
  private volatile boolean running = true;

  public RiskLevelChangePublisher(
      Producer<String, RiskLevelChange> producer,
      String topic,
      Duration retryBackoff,
      Consumer<DeadLetter> deadLetters,
      String instanceId,
      MeterRegistry meters,
      Clock clock) {
    this.producer = producer;
    this.topic = topic;
    this.sendBackoff = SnapshotPublisher.sendBackoff(retryBackoff);
    this.deadLetters = deadLetters;
    this.instanceId = instanceId;
    this.meters = meters;
    this.clock = clock;
    for (String outcome : new String[] {"published", "send_failed", "dead_lettered", "overflow"}) {
      meters.counter("pmas.push.risk.level.changes", "outcome", outcome);
    }
    Gauge.builder("pmas.push.risk.level.changes.unsent", this, RiskLevelChangePublisher::unsent)
        .description("riskLevelChange events waiting or in flight")
        .register(meters);
    this.sender = new Thread(this::sendLoop, "risk-event-sender");
    this.sender.setDaemon(true);
    heartbeat.runsOn(sender);
    heartbeat.registerIn(meters);
    meters.counter("pmas.loop.errors", "loop", heartbeat.name());
    sender.start();
  }

  /** Queues the event; never blocks. */
  public void offer(RiskLevelChange event) {
    if (!accepting || !queue.offer(event)) {
      count("overflow");
      log.error(
          "riskLevelChange of account {} at {} not published: {} (the poll it triggered still"
              + " publishes the account's state)",
          event.getAccountId(),
          event.getEventTime(),
          accepting ? MAX_WAITING + " events already wait for Kafka" : "the poller is closing");
    }
  }

  /** Events waiting or in flight. */
  public int unsent() {
    return queue.size() + (inFlight != null ? 1 : 0);
  }

  /** The sender thread's pulse, for liveness. */
  public LoopHeartbeat heartbeat() {
    return heartbeat;
  }

  private void sendLoop() {
    int failuresInRow = 0;
    while (running) {
      heartbeat.beat();
      try {
        RiskLevelChange event = inFlight;
        if (event == null) {
          event = queue.poll(200, TimeUnit.MILLISECONDS);
          if (event == null) {
            continue;
          }
          inFlight = event;
        }
        Optional<Exception> error = send(event);
        if (error.isEmpty()) {
          count("published");
          inFlight = null;
          failuresInRow = 0;
        } else if (SnapshotPublisher.isRetriable(error.get())) {
          count("send_failed");
          failuresInRow++;
          Duration backoff = sendBackoff.delay(failuresInRow - 1);
          log.warn(
              "riskLevelChange of account {} not sent yet, retrying in {}: {}",
              event.getAccountId(),
              backoff,
              error.get().toString());
          sleepBeating(backoff);
        } else {
          deadLetter(event, error.get());
          inFlight = null;
          failuresInRow = 0;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        meters.counter("pmas.loop.errors", "loop", heartbeat.name()).increment();
        log.error("risk event sender: unexpected error, going on", e);
      }
    }
    heartbeat.stopped();
  }

  /** Sends one event and waits for Kafka's answer, beating; empty when acknowledged. */
  private Optional<Exception> send(RiskLevelChange event) throws InterruptedException {
    Future<RecordMetadata> ack;
    try {
      ack =
          producer.send(
              new ProducerRecord<>(
                  topic, null, event.getEventTime().toEpochMilli(), event.getAccountId(), event));
    } catch (RuntimeException e) {
      return Optional.of(e);
    }
    while (true) {
      heartbeat.beat();
      try {
        ack.get(1, TimeUnit.SECONDS);
        return Optional.empty();
      } catch (ExecutionException e) {
        return Optional.of(e.getCause() instanceof Exception cause ? cause : e);
      } catch (TimeoutException e) {
        // the producer's delivery.timeout.ms bounds this wait
      }
    }
  }

  private void sleepBeating(Duration pause) throws InterruptedException {
    long deadline = System.nanoTime() + pause.toNanos();
    while (running && deadline - System.nanoTime() > 0) {
      heartbeat.beat();
      Thread.sleep(Math.max(1, Math.min(1000, (deadline - System.nanoTime()) / 1_000_000)));
    }
  }

  private void deadLetter(RiskLevelChange event, Exception error) {
    count("dead_lettered");
    log.error(
        "riskLevelChange of account {} refused by Kafka for good, kept in the dead-letter topic: {}",
        event.getAccountId(),
        error.toString());
    deadLetters.accept(
        new DeadLetter(
            event.getAccountId(),
            clock.instant(),
            UNPUBLISHABLE,
            OptionalInt.empty(),
            Optional.empty(),
            "riskLevelChange at " + event.getEventTime() + " could not be published: " + error,
            "Kafka refused this record for good; the account's next events go on and its"
                + " snapshots are unaffected.",
            Optional.of(event.toString()),
            instanceId));
  }

  private void count(String outcome) {
    meters.counter("pmas.push.risk.level.changes", "outcome", outcome).increment();
  }

  /**
   * Stops accepting, sends what waits within the timeout, then closes the producer. Returns the
   * number of events left unsent.
   */
  public int close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    accepting = false;
    while (unsent() > 0 && deadline - System.nanoTime() > 0) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    int unsent = unsent();
    running = false;
    sender.interrupt();
    producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    if (unsent > 0) {
      log.error("closed with {} riskLevelChange event(s) unsent (timeout {})", unsent, timeout);
    }
    return unsent;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
