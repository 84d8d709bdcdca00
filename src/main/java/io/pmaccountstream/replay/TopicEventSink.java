package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.kafka.Topics;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Produces replayed events to prefixed copies of the live output topics ({@code --out-topic
 * backtest.} writes {@code backtest.pm.account.status-transitions} and {@code
 * backtest.pm.account.low-unimmr}), keyed by account id with the snapshot's {@code observedAt} as
 * record timestamp, exactly like the live topology. An empty prefix is refused: a replay never
 * writes to the live topics.
 *
 * <p>The producer is idempotent with {@code acks=all}; the first failed send stops the replay
 * (thrown on the next event or on close), so a replay never reports success with events missing.
 */
public final class TopicEventSink implements EventSink {

  private final Producer<String, SpecificRecord> producer;
  private final Topics topics;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final AtomicLong transitions = new AtomicLong();
  private final AtomicLong levelEvents = new AtomicLong();

  /**
   * @param topics the prefixed topics (see {@link #prefixed(Topics, String)})
   */
  public TopicEventSink(Producer<String, SpecificRecord> producer, Topics topics) {
    this.producer = producer;
    this.topics = topics;
  }

  /**
   * The live topics with {@code prefix} in front of every name.
   *
   * @throws IllegalArgumentException when the prefix is empty or has characters a topic name cannot
   *     have
   */
  public static Topics prefixed(Topics live, String prefix) {
    if (prefix == null || prefix.isBlank()) {
      throw new IllegalArgumentException(
          "--out-topic needs a non-empty prefix: a replay never writes to the live topics");
    }
    if (!prefix.matches("[a-zA-Z0-9._-]+")) {
      throw new IllegalArgumentException(
          "--out-topic '" + prefix + "' may only contain letters, digits, '.', '_' and '-'");
    }
    return live.withPrefix(prefix);
  }

  @Override
  public void transition(AccountStatusTransition event) {
    send(
        topics.statusTransitions(),
        event.getAccountId(),
        event,
        event.getObservedAt(),
        transitions);
  }

  @Override
  public void levelEvent(UniMmrLevelEvent event) {
    send(topics.lowUniMmr(), event.getAccountId(), event, event.getObservedAt(), levelEvents);
  }

  private void send(
      String topic,
      String key,
      SpecificRecord event,
      java.time.Instant timestamp,
      AtomicLong counter) {
    throwIfFailed();
    try {
      producer.send(
          new ProducerRecord<>(topic, null, timestamp.toEpochMilli(), key, event),
          (metadata, e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
            } else {
              counter.incrementAndGet();
            }
          });
    } catch (KafkaException e) {
      throw new ReplayException("cannot produce to " + topic + ": " + e.getMessage(), e);
    }
  }

  private void throwIfFailed() {
    Exception e = failure.get();
    if (e != null) {
      throw new ReplayException("producing replayed events failed: " + e.getMessage(), e);
    }
  }

  /** Flushes every event, then fails if any send failed. */
  @Override
  public void close() {
    try {
      producer.flush();
    } finally {
      producer.close();
    }
    throwIfFailed();
  }

  @Override
  public List<String> destinations() {
    return List.of(
        topics.statusTransitions() + " (" + transitions.get() + " status transitions)",
        topics.lowUniMmr() + " (" + levelEvents.get() + " uniMMR level events)");
  }
}
