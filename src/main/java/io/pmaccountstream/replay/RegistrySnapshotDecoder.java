package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.serde.ConfluentWireFormat;
import io.pmaccountstream.serde.SchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Decodes Confluent-framed snapshots with writer schemas from the registry, telling bad records
 * from a failing registry:
 *
 * <ul>
 *   <li>bad record, counted and skipped: not Confluent framing, a schema id the registry does not
 *       know, bytes that do not decode with their writer schema or do not resolve to {@link
 *       AccountSnapshot};
 *   <li>registry failure, the replay stops with the registry's message: unreachable, not
 *       authorized, server error. Skipping would silently drop every snapshot.
 * </ul>
 *
 * The live topology stops on an unknown schema id too (it cannot tell a deleted schema from a
 * misconfigured registry); a replay of history counts it instead, so one purged schema does not
 * make a period impossible to replay.
 */
public final class RegistrySnapshotDecoder implements SnapshotDecoder {

  private final ConfluentAvroDeserializer<AccountSnapshot> deserializer;

  public RegistrySnapshotDecoder(SchemaRegistryClient registry) {
    this.deserializer = new ConfluentAvroDeserializer<>(registry, AccountSnapshot.class);
  }

  @Override
  public AccountSnapshot decode(String topic, byte[] value) {
    if (!ConfluentWireFormat.isFramed(value, 0, value.length)) {
      throw new BadRecordException(
          BadRecordException.NOT_FRAMED,
          value.length + " bytes, first byte " + (value.length == 0 ? "none" : value[0] & 0xff),
          null);
    }
    try {
      return deserializer.deserialize(topic, value);
    } catch (SerializationException e) {
      SchemaRegistryException registry = registryFailure(e);
      if (registry == null) {
        throw new BadRecordException(BadRecordException.UNDECODABLE, e.getMessage(), e);
      }
      if (registry.reason() == SchemaRegistryException.Reason.UNKNOWN_SCHEMA_ID) {
        throw new BadRecordException(
            BadRecordException.UNKNOWN_SCHEMA_ID, "id " + schemaId(value), e);
      }
      throw new ReplayException(
          "the schema registry failed while decoding " + topic + ": " + registry.getMessage(), e);
    }
  }

  private static int schemaId(byte[] framed) {
    return ConfluentWireFormat.schemaId("", framed, 0, framed.length);
  }

  private static SchemaRegistryException registryFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SchemaRegistryException registry) {
        return registry;
      }
    }
    return null;
  }
}
