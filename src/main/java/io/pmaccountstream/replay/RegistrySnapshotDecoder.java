package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.derivation.AccountFold.Rejection;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.serde.SchemaRegistryClient;
import io.pmaccountstream.streams.RecordFailures;
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

  private final ConfluentAvroDeserializer<AccountSnapshot> deserializer;

  public RegistrySnapshotDecoder(SchemaRegistryClient registry) {
    this.deserializer = new ConfluentAvroDeserializer<>(registry, AccountSnapshot.class);
  }

  @Override
  public AccountSnapshot decode(String topic, byte[] value) {
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
