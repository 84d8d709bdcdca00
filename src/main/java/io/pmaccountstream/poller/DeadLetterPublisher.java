package io.pmaccountstream.poller;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link DeadLetter}s as JSON to the dead-letter topic from its own thread, so a dead
 * broker never blocks the caller's HTTP schedule. The queue is bounded; a record that finds it full
 * is counted and logged, never held without bound.
 */
public final class DeadLetterPublisher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Producer<String, String> producer;
  private final String topic;
  private final BlockingQueue<DeadLetter> queue;
  private final Thread sender;
  private final Counter published;
  private final Counter overflow;
  private final Counter failed;
  private volatile boolean running = true;

  public DeadLetterPublisher(
      Producer<String, String> producer, String topic, int capacity, MeterRegistry meters) {
    this.producer = producer;
    this.topic = topic;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.published = meters.counter("pmas.dlq.records", "outcome", "published");
    this.overflow = meters.counter("pmas.dlq.records", "outcome", "overflow");
    this.failed = meters.counter("pmas.dlq.records", "outcome", "send_failed");
    this.sender = new Thread(this::drain, "dlq-sender");
    this.sender.setDaemon(true);
    this.sender.start();
  }

  /** Queues a dead letter; never blocks. */
  public void publish(DeadLetter letter) {
    if (!queue.offer(letter)) {
      overflow.increment();
      log.error(
          "dead-letter queue full ({} waiting): dropping the {} record of account {} observed at {}",
          queue.size(),
          letter.errorKind(),
          letter.accountId(),
          letter.observedAt());
    }
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
      DeadLetter letter;
      try {
        letter = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (letter != null) {
        send(letter);
      }
    }
  }

  private void send(DeadLetter letter) {
    ProducerRecord<String, String> record =
        new ProducerRecord<>(
            topic, null, letter.observedAt().toEpochMilli(), letter.accountId(), toJson(letter));
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error == null) {
              published.increment();
            } else {
              failed.increment();
              log.error(
                  "could not write the {} dead letter of account {}: {}",
                  letter.errorKind(),
                  letter.accountId(),
                  error.toString());
            }
          });
    } catch (org.apache.kafka.common.KafkaException e) {
      failed.increment();
      log.error(
          "could not write the {} dead letter of account {}: {}",
          letter.errorKind(),
          letter.accountId(),
          e.toString());
    }
  }

  /** Number of dead letters waiting for the sender thread. */
  public int pending() {
    return queue.size();
  }

  /** Stops after sending what is queued (within the timeout) and flushes the producer. */
  public void close(java.time.Duration timeout) {
    running = false;
    try {
      sender.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.flush();
    producer.close(timeout);
  }

  @Override
  public void close() {
    close(java.time.Duration.ofSeconds(10));
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
