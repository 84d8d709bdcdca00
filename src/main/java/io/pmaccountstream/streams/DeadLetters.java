package io.pmaccountstream.streams;

import io.pmaccountstream.derivation.AccountFold.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * The derive dead-letter records (KIP-1034): the bad input record's original key and value bytes
 * and headers, sent to {@code errors.dead.letter.queue.topic.name} by Kafka Streams inside the
 * task's exactly-once transaction, with headers saying why and where from:
 *
 * <ul>
 *   <li>{@value #REASON}: the kind of problem, worded as replay's report words it ({@link
 *       RecordFailures}, {@link io.pmaccountstream.derivation.AccountFold});
 *   <li>{@value #DETAIL}: this record's specifics;
 *   <li>Kafka Streams' own {@value #EXCEPTION}, {@value #MESSAGE}, {@value #TOPIC}, {@value
 *       #PARTITION}, {@value #OFFSET} (no stack trace: it would only repeat our own code).
 * </ul>
 */
final class DeadLetters {

  static final String REASON = "pm.derive.reason";
  static final String DETAIL = "pm.derive.detail";
  static final String EXCEPTION = "__streams.errors.exception";
  static final String MESSAGE = "__streams.errors.message";
  static final String TOPIC = "__streams.errors.topic";
  static final String PARTITION = "__streams.errors.partition";
  static final String OFFSET = "__streams.errors.offset";

  private DeadLetters() {}

  /** The dead-letter topic from the Streams configuration; the handlers cannot work without one. */
  static String topic(Map<String, ?> configs) {
    Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    if (topic == null || topic.toString().isBlank()) {
      throw new ConfigException(
          StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG
              + " must name the derive dead-letter topic");
    }
    return topic.toString();
  }

  /** The one dead-letter record of a bad input record. */
  static List<ProducerRecord<byte[], byte[]>> of(
      String topic,
      ErrorHandlerContext context,
      byte[] key,
      byte[] value,
      Rejection rejection,
      Exception exception) {
    Headers headers = new RecordHeaders();
    if (context.headers() != null) {
      context.headers().forEach(headers::add);
    }
    headers.add(REASON, bytes(rejection.reason()));
    headers.add(DETAIL, bytes(rejection.detail()));
    headers.add(EXCEPTION, bytes(exception.getClass().getName()));
    headers.add(MESSAGE, bytes(String.valueOf(exception.getMessage())));
    headers.add(TOPIC, bytes(context.topic()));
    headers.add(PARTITION, bytes(String.valueOf(context.partition())));
    headers.add(OFFSET, bytes(String.valueOf(context.offset())));
    long timestamp = context.timestamp() >= 0 ? context.timestamp() : System.currentTimeMillis();
    return List.of(new ProducerRecord<>(topic, null, timestamp, key, value, headers));
  }

  static String where(ErrorHandlerContext context) {
    return context.topic() + "-" + context.partition() + "@" + context.offset();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
