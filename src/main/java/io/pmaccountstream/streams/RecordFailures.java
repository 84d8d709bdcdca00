package io.pmaccountstream.streams;

import io.pmaccountstream.config.CauseChain;
import io.pmaccountstream.derivation.AccountFold.Rejection;
import io.pmaccountstream.serde.ConfluentWireFormat;
import io.pmaccountstream.serde.SchemaRegistryException;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The one rule, for the live topology and for replay, that tells a bad record (its own fault:
 * dead-letter or report it, then skip it) from a failing environment (hold processing back: skip
 * nothing).
 *
 * <ul>
 *   <li>Undecodable values: {@value #NOT_FRAMED} (no magic byte 0 and schema id), {@value
 *       #UNKNOWN_SCHEMA_ID} (the registry answered 404 for the id: the record names a schema that
 *       does not exist), {@value #UNDECODABLE} (truncated or otherwise not Avro of its writer
 *       schema, or a schema that does not resolve to a snapshot). A registry that is unreachable,
 *       answers 5xx, refuses our credentials or answers garbage is not the record's fault:
 *       processing holds back until it answers.
 *   <li>Records the derivation rejects: the reasons of {@link
 *       io.pmaccountstream.derivation.AccountFold}.
 *   <li>{@value #PROCESSING_FAILED}: anything else thrown while deriving one record, except a
 *       registry failure, a JVM error or a Kafka (non-serialization) failure, which are the
 *       environment's.
 * </ul>
 */
public final class RecordFailures {

  public static final String NOT_FRAMED = "not Confluent wire format";
  public static final String UNKNOWN_SCHEMA_ID = "unknown schema id";
  public static final String UNDECODABLE = "undecodable";
  public static final String PROCESSING_FAILED = "processing failed";

  private RecordFailures() {}

  /**
   * Why a value that failed to deserialize is a bad record; empty when the failure is the schema
   * registry's and processing must hold back.
   */
  public static Optional<Rejection> undecodable(byte[] value, Throwable failure) {
    if (value != null && !ConfluentWireFormat.isFramed(value, 0, value.length)) {
      return Optional.of(
          new Rejection(
              NOT_FRAMED,
              value.length
                  + " bytes, first byte "
                  + (value.length == 0 ? "none" : String.valueOf(value[0] & 0xff))));
    }
    Optional<SchemaRegistryException> registry =
        CauseChain.find(failure, SchemaRegistryException.class);
    if (registry.isPresent()) {
      if (registry.get().reason() != SchemaRegistryException.Reason.UNKNOWN_SCHEMA_ID) {
        return Optional.empty();
      }
      return Optional.of(
          new Rejection(
              UNKNOWN_SCHEMA_ID, "id " + ConfluentWireFormat.schemaId("", value, 0, value.length)));
    }
    if (CauseChain.find(failure, Error.class).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(new Rejection(UNDECODABLE, String.valueOf(failure.getMessage())));
  }

  /**
   * Why a record that failed in processing is a bad record; empty when the failure is the
   * environment's (registry, Kafka, the JVM) and processing must hold back.
   */
  public static Optional<Rejection> unprocessable(Throwable failure) {
    Optional<RejectedSnapshotException> rejected =
        CauseChain.find(failure, RejectedSnapshotException.class);
    if (rejected.isPresent()) {
      return Optional.of(rejected.get().rejection());
    }
    if (CauseChain.find(failure, SchemaRegistryException.class).isPresent()
        || CauseChain.find(failure, Error.class).isPresent()) {
      return Optional.empty();
    }
    Optional<KafkaException> kafka = CauseChain.find(failure, KafkaException.class);
    if (kafka.isPresent() && !(kafka.get() instanceof SerializationException)) {
      return Optional.empty();
    }
    return Optional.of(new Rejection(PROCESSING_FAILED, describe(failure)));
  }

  /** The class and message of the deepest cause: what went wrong, not where it was wrapped. */
  static String describe(Throwable failure) {
    Throwable root = CauseChain.root(failure);
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
