package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.derivation.AccountFold.Rejection;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.serde.ConfluentWireFormat;
import io.pmaccountstream.serde.SchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryException;
import io.pmaccountstream.streams.RecordFailures;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Decodes Confluent-framed snapshots with writer schemas from the registry, telling bad records
 * from a failing registry by the rule the live topology applies ({@link RecordFailures}):
 *
 * <ul>
 *   <li>bad record, counted and skipped (live: dead-lettered and skipped): not Confluent framing, a
 *       schema id the registry does not know, bytes that do not decode with their writer schema or
 *       do not resolve to {@link AccountSnapshot};
 *   <li>registry failure, the replay stops with the registry's message (live: processing holds
 *       back): unreachable, not authorized, server error. Skipping would silently drop every
 *       snapshot.
 * </ul>
 */
public final class RegistrySnapshotDecoder implements SnapshotDecoder {

  private final SchemaRegistryClient registry;
  private final ConfluentAvroDeserializer<AccountSnapshot> deserializer;
  private final Optional<DerivationFieldsDecoder> derivationFields;
  private final Map<Integer, Boolean> derivationLayout = new HashMap<>();
  private int lastId = -1;
  private boolean lastHasLayout;

  /** Decodes every field. */
  public RegistrySnapshotDecoder(SchemaRegistryClient registry) {
    this(registry, Optional.empty());
  }

  private RegistrySnapshotDecoder(
      SchemaRegistryClient registry, Optional<DerivationFieldsDecoder> derivationFields) {
    this.registry = registry;
    this.deserializer = new ConfluentAvroDeserializer<>(registry, AccountSnapshot.class);
    this.derivationFields = derivationFields;
  }

  /**
   * Decodes only the fields the derivation reads when a record's writer schema is the current one
   * ({@link DerivationFieldsDecoder}; the others are null), every field otherwise: for replay, not
   * for export. Not thread-safe (replay decodes on one thread).
   */
  public static RegistrySnapshotDecoder forDerivation(SchemaRegistryClient registry) {
    return new RegistrySnapshotDecoder(registry, DerivationFieldsDecoder.create());
  }

  @Override
  public AccountSnapshot decode(String topic, byte[] value) {
    if (derivationFields.isPresent() && hasDerivationLayout(value)) {
      Optional<AccountSnapshot> read =
          derivationFields
              .get()
              .decode(
                  value,
                  ConfluentWireFormat.HEADER_SIZE,
                  value.length - ConfluentWireFormat.HEADER_SIZE);
      if (read.isPresent()) {
        return read.get();
      }
      // malformed: the full decode below fails the way the live topology does
    }
    return decodeFully(topic, value);
  }

  /**
   * Whether the value is framed with a schema id whose schema {@link DerivationFieldsDecoder}
   * reads; false for anything else, which the full decode then judges.
   */
  private boolean hasDerivationLayout(byte[] value) {
    if (!ConfluentWireFormat.isFramed(value, 0, value.length)) {
      return false;
    }
    int id = ConfluentWireFormat.schemaId("", value, 0, value.length);
    if (id == lastId) {
      return lastHasLayout;
    }
    Boolean known = derivationLayout.get(id);
    if (known == null) {
      try {
        known = DerivationFieldsDecoder.reads(registry.schemaById(id));
      } catch (SchemaRegistryException e) {
        return false; // not cached: the full decode reports it, and asks again next time
      }
      derivationLayout.put(id, known);
    }
    lastId = id;
    lastHasLayout = known;
    return known;
  }

  private AccountSnapshot decodeFully(String topic, byte[] value) {
    try {
      return deserializer.deserialize(topic, value);
    } catch (SerializationException e) {
      Rejection bad =
          RecordFailures.undecodable(value, e)
              .orElseThrow(
                  () ->
                      new ReplayException(
                          "the schema registry failed while decoding "
                              + topic
                              + ": "
                              + e.getMessage(),
                          e));
      throw new BadRecordException(bad.reason(), bad.detail(), e);
    }
  }
}
