package io.pmaccountstream.poller;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link DeadLetter}s as JSON to the dead-letter topic from its own thread, so a dead
 * broker never blocks the caller's HTTP schedule. The queue is bounded in bytes ({@code
 * poll.dlq.buffer.bytes} of JSON); a record that finds it full is counted ({@code
 * pmas.dlq.records{outcome=overflow}}) and logged, never held without bound. Nothing a record can
 * hold ends the sender thread: a record that cannot be built or sent is counted and logged, and the
 * next one goes on. {@link #close} returns within its timeout whatever the broker does.
 */
public final class DeadLetterPublisher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration MAX_SILENCE = Duration.ofMinutes(2);

  private final Producer<String, String> producer;
  private final String topic;
  private final long capacityBytes;
  private final BlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Thread sender;
  private final LoopHeartbeat heartbeat = new LoopHeartbeat("dlq-sender", MAX_SILENCE);
  private final MeterRegistry meters;
  private final Counter published;
  private final Counter overflow;
  private final Counter failed;
  private volatile boolean running = true;

  /** A dead letter with its JSON, encoded once when queued (its size is what the bound counts). */
  private record Queued(DeadLetter letter, String json) {
    long bytes() {
      return json.length() + (long) letter.accountId().length();
    }
  }

  public DeadLetterPublisher(
      Producer<String, String> producer, String topic, long capacityBytes, MeterRegistry meters) {
    this.producer = producer;
    this.topic = topic;
    this.capacityBytes = capacityBytes;
    this.meters = meters;
    this.published = meters.counter("pmas.dlq.records", "outcome", "published");
    this.overflow = meters.counter("pmas.dlq.records", "outcome", "overflow");
    this.failed = meters.counter("pmas.dlq.records", "outcome", "send_failed");
    Gauge.builder("pmas.dlq.buffered.bytes", queuedBytes, AtomicLong::get)
        .description("Bytes of dead letters waiting for the sender (bound: poll.dlq.buffer.bytes)")
        .baseUnit("bytes")
        .register(meters);
    this.sender = new Thread(this::drain, "dlq-sender");
    this.sender.setDaemon(true);
    heartbeat.runsOn(sender);
    heartbeat.registerIn(meters);
    meters.counter("pmas.loop.errors", "loop", heartbeat.name());
    this.sender.start();
  }

  /** Queues a dead letter; never blocks. */
  public void publish(DeadLetter letter) {
    Queued queued = new Queued(letter, toJson(letter));
    long bytes = queued.bytes();
    long after = queuedBytes.addAndGet(bytes);
    if (after > capacityBytes || !running) {
      queuedBytes.addAndGet(-bytes);
      overflow.increment();
      log.error(
          "dead-letter queue full ({} bytes waiting): dropping the {} record of account {}"
              + " observed at {}",
          after - bytes,
          letter.errorKind(),
          letter.accountId(),
          letter.observedAt());
      return;
    }
    queue.add(queued);
  }

  /** The JSON value written for a dead letter (stable field names, documented). */
  public static String toJson(DeadLetter letter) {
    ObjectNode node = JSON.createObjectNode();
    node.put("accountId", letter.accountId());
    node.put("observedAt", letter.observedAt().toString());
    node.put("errorKind", letter.errorKind());
    if (letter.httpStatus().isPresent()) {
      node.put("httpStatus", letter.httpStatus().getAsInt());
    } else {
      node.putNull("httpStatus");
    }
    letter
        .binanceCode()
        .ifPresentOrElse(c -> node.put("binanceCode", c), () -> node.putNull("binanceCode"));
    node.put("message", letter.message());
    node.put("advice", letter.advice());
    letter.rawBody().ifPresentOrElse(b -> node.put("rawBody", b), () -> node.putNull("rawBody"));
    node.put("pollerInstanceId", letter.pollerInstanceId());
    return node.toString();
  }

  private void drain() {
    while (running || !queue.isEmpty()) {
      heartbeat.beat();
      Queued queued;
      try {
        queued = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (queued != null) {
        queuedBytes.addAndGet(-queued.bytes());
        try {
          send(queued);
        } catch (RuntimeException e) {
          meters.counter("pmas.loop.errors", "loop", heartbeat.name()).increment();
          log.error("dead-letter sender: unexpected error, going on", e);
        }
      }
    }
    heartbeat.stopped();
  }

  private void send(Queued queued) {
    DeadLetter letter = queued.letter();
    try {
      producer.send(
          new ProducerRecord<>(
              topic, null, recordTimestamp(letter), letter.accountId(), queued.json()),
          (metadata, error) -> {
            if (error == null) {
              published.increment();
            } else {
              sendFailed(letter, error);
            }
          });
    } catch (RuntimeException e) {
      sendFailed(letter, e);
    }
  }

  /**
   * The record timestamp: the observation, unless Kafka cannot carry it (before 1970, as a poisoned
   * clock can make it); then the producer's own time, and the letter's JSON still says observedAt.
   */
  static Long recordTimestamp(DeadLetter letter) {
    long millis;
    try {
      millis = letter.observedAt().toEpochMilli();
    } catch (ArithmeticException e) {
      return null;
    }
    return millis < 0 ? null : millis;
  }

  private void sendFailed(DeadLetter letter, Exception error) {
    failed.increment();
    log.error(
        "could not write the {} dead letter of account {}: {}",
        letter.errorKind(),
        letter.accountId(),
        error.toString());
  }

  /** Number of dead letters waiting for the sender thread. */
  public int pending() {
    return queue.size();
  }

  /** The sender thread's pulse, for liveness. */
  public LoopHeartbeat heartbeat() {
    return heartbeat;
  }

  /**
   * Stops accepting, sends what is queued and waits for the acknowledgements, all within the
   * timeout; then closes the producer (dropping what it still holds). Never waits longer.
   */
  public void close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    running = false;
    try {
      sender.join(Math.max(1, remainingMillis(deadline)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (sender.isAlive()) {
      sender.interrupt();
    }
    int left = queue.size();
    if (left > 0) {
      log.error("closing with {} dead letter(s) not handed to Kafka", left);
    }
    // close(timeout) waits for the records in flight up to the timeout, then drops them: unlike
    // flush(), it cannot wait for ever on a broker that is away.
    producer.close(Duration.ofMillis(remainingMillis(deadline)));
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  /** Producer settings for the dead-letter topic: durable and idempotent, like the snapshots. */
  public static Map<String, Object> producerSettings() {
    return Map.of(
        "acks", "all",
        "enable.idempotence", "true",
        "compression.type", "lz4",
        "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
        "value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
  }
}
