package io.pmaccountstream.streams;

import io.pmaccountstream.serde.SchemaRegistryException;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do with an input record that cannot be deserialized.
 *
 * <ul>
 *   <li>The bytes are bad (not Confluent-framed, not decodable with their writer schema): skip the
 *       record, log where it is, and let Kafka Streams count it in its {@code dropped-records}
 *       metric. Such a record can never be processed; stopping for it would stop every account.
 *   <li>The schema registry failed (unreachable, unknown schema id, not authorized): fail. These
 *       are not properties of the record; skipping would silently drop every snapshot while the
 *       registry is down or misconfigured. The thread dies, {@link ThreadReplacementPolicy}
 *       retries, and the process ends with an error if the registry stays unusable.
 * </ul>
 */
public final class UndecodableSnapshotHandler implements DeserializationExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(UndecodableSnapshotHandler.class);

  @Override
  public void configure(Map<String, ?> configs) {}

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    SchemaRegistryException registryFailure = registryFailure(exception);
    if (registryFailure != null) {
      log.error(
          "Cannot deserialize {}-{}@{}: the schema registry failed ({}); failing so that no"
              + " snapshot is skipped for it",
          context.topic(),
          context.partition(),
          context.offset(),
          registryFailure.reason());
      return Response.fail();
    }
    log.warn(
        "Skipped undecodable record {}-{}@{}: {}",
        context.topic(),
        context.partition(),
        context.offset(),
        exception.getMessage());
    return Response.resume();
  }

  private static SchemaRegistryException registryFailure(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SchemaRegistryException e) {
        return e;
      }
    }
    return null;
  }
}
