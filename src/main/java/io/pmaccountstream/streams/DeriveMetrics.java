package io.pmaccountstream.streams;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * Per-task Streams metrics of the derivation, in group {@value #GROUP} with tags {@code thread-id}
 * and {@value #ENTITY_TAG} (the task id); each has a {@code -total} and a {@code -rate}. Being
 * Streams metrics, they reach Micrometer through {@code KafkaStreamsMetrics} with everything else.
 *
 * <ul>
 *   <li>{@value #STALE}: snapshots ignored because they are older than the account's last accepted
 *       one;
 *   <li>{@value #SKIPPED}: records the derivation rejected and dead-lettered (null value, null key
 *       or a key that is not the value's accountId, an updateTime far after observedAt);
 *   <li>{@value #TRANSITIONS} and {@value #LEVEL_EVENTS}: events emitted;
 *   <li>{@value #HELD_BACK}: snapshots observed before {@code derive.emit.from}'s instant, folded
 *       into the state without emitting (warm-up).
 * </ul>
 */
final class DeriveMetrics {

  static final String SCOPE = "pm-derive";
  static final String GROUP = "stream-" + SCOPE + "-metrics";
  static final String ENTITY_TAG = SCOPE + "-id";
  static final String STALE = "stale-snapshots";
  static final String SKIPPED = "skipped-records";
  static final String TRANSITIONS = "status-transitions";
  static final String LEVEL_EVENTS = "level-events";
  static final String HELD_BACK = "held-back-snapshots";

  private final StreamsMetrics registry;
  private final Sensor stale;
  private final Sensor skipped;
  private final Sensor transitions;
  private final Sensor levelEvents;
  private final Sensor heldBack;

  private DeriveMetrics(StreamsMetrics registry, String taskId) {
    this.registry = registry;
    this.stale = sensor(registry, taskId, STALE);
    this.skipped = sensor(registry, taskId, SKIPPED);
    this.transitions = sensor(registry, taskId, TRANSITIONS);
    this.levelEvents = sensor(registry, taskId, LEVEL_EVENTS);
    this.heldBack = sensor(registry, taskId, HELD_BACK);
  }

  static DeriveMetrics register(StreamsMetrics registry, String taskId) {
    return new DeriveMetrics(registry, taskId);
  }

  private static Sensor sensor(StreamsMetrics registry, String taskId, String operation) {
    return registry.addRateTotalSensor(SCOPE, taskId, operation, Sensor.RecordingLevel.INFO);
  }

  Sensor stale() {
    return stale;
  }

  Sensor skipped() {
    return skipped;
  }

  Sensor transitions() {
    return transitions;
  }

  Sensor levelEvents() {
    return levelEvents;
  }

  Sensor heldBack() {
    return heldBack;
  }

  void remove() {
    registry.removeSensor(stale);
    registry.removeSensor(skipped);
    registry.removeSensor(transitions);
    registry.removeSensor(levelEvents);
    registry.removeSensor(heldBack);
  }
}
