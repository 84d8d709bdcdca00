package io.pmaccountstream.streams;

import io.pmaccountstream.derivation.AccountFold.Rejection;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do when deriving one record throws, by {@link RecordFailures}: a record the derivation
 * rejects ({@link RejectedSnapshotException}: not its key's account, updateTime far ahead, no
 * value) or one that makes the derivation fail is dead-lettered with its original bytes ({@link
 * DeadLetters}, inside the exactly-once transaction) and skipped; a failure of the environment
 * (registry, Kafka, the JVM) fails the thread, skipping nothing, as {@link
 * UndecodableSnapshotHandler} does.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

  private String deadLetterTopic;

  @Override
  public void configure(Map<String, ?> configs) {
    deadLetterTopic = DeadLetters.topic(configs);
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    Optional<Rejection> bad = RecordFailures.unprocessable(exception);
    if (bad.isEmpty()) {
      log.error(
          "Processing {} failed for a reason that is not the record's; holding processing back",
          DeadLetters.where(context),
          exception);
      return Response.fail();
    }
    if (exception instanceof RejectedSnapshotException) {
      log.warn(
          "Dead-lettered record {} to {}: {}",
          DeadLetters.where(context),
          deadLetterTopic,
          bad.get());
    } else {
      log.error(
          "Dead-lettered record {} to {}: deriving it failed",
          DeadLetters.where(context),
          deadLetterTopic,
          exception);
    }
    return Response.resume(
        DeadLetters.of(
            deadLetterTopic,
            context,
            context.sourceRawKey(),
            context.sourceRawValue(),
            bad.get(),
            exception));
  }
}
