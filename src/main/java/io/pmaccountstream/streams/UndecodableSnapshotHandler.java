package io.pmaccountstream.streams;

import io.pmaccountstream.derivation.AccountFold.Rejection;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do with an input record that cannot be deserialized, by {@link RecordFailures}:
 *
 * <ul>
 *   <li>The record is bad (not Confluent-framed, a schema id the registry does not know, bytes that
 *       do not decode with their writer schema): dead-letter it ({@link DeadLetters}, in the same
 *       transaction as the task's outputs) and go on with the next record. Such a record can never
 *       be processed; stopping for it would stop every account. Replay skips and reports the same
 *       records with the same reasons.
 *   <li>The schema registry failed (unreachable, 5xx, not authorized): fail, skipping nothing.
 *       Skipping would silently drop every snapshot while the registry is down. The stream thread
 *       dies and {@link ThreadReplacementPolicy} replaces it after a back-off, so processing
 *       resumes by itself when the registry answers again.
 * </ul>
 */
public final class UndecodableSnapshotHandler implements DeserializationExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(UndecodableSnapshotHandler.class);

  private String deadLetterTopic;

  @Override
  public void configure(Map<String, ?> configs) {
    deadLetterTopic = DeadLetters.topic(configs);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    Optional<Rejection> bad = RecordFailures.undecodable(record.value(), exception);
    if (bad.isEmpty()) {
      log.error(
          "Cannot deserialize {}: the schema registry failed ({}); holding processing back so"
              + " that no snapshot is skipped for it",
          DeadLetters.where(context),
          exception.getMessage());
      return Response.fail();
    }
    log.warn(
        "Dead-lettered undecodable record {} to {}: {}",
        DeadLetters.where(context),
        deadLetterTopic,
        bad.get());
    return Response.resume(
        DeadLetters.of(
            deadLetterTopic, context, record.key(), record.value(), bad.get(), exception));
  }
}
