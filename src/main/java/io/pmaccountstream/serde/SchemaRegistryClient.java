package io.pmaccountstream.serde;

import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API the serde needs. Implementations cache: a
 * schema id never changes its schema, so {@link #schemaById(int)} is fetched at most once per id,
 * and {@link #register} at most once per (subject, schema). Failures are {@link
 * SchemaRegistryException}s.
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /**
   * {@code POST /subjects/{subject}/versions}: the id of the schema under the subject, registering
   * it if new.
   */
  int register(String subject, Schema schema);

  /** {@code GET /schemas/ids/{id}}: the writer schema of a record. */
  Schema schemaById(int id);

  /**
   * {@code POST /subjects/{subject}}: the id of a schema already registered under the subject,
   * without registering it (serializers with {@code auto.register.schemas=false}).
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException.Reason#NOT_FOUND} when the
   *     schema is not registered under the subject
   */
  default int lookup(String subject, Schema schema) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " cannot look schemas up without registering them");
  }

  /**
   * {@code GET /config/{subject}}: the compatibility level set on the subject itself; empty when
   * the subject follows the registry's global level.
   */
  default Optional<String> compatibility(String subject) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " does not manage compatibility levels");
  }

  /** {@code PUT /config/{subject}}: sets the subject's compatibility level. */
  default void setCompatibility(String subject, String level) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " does not manage compatibility levels");
  }

  @Override
  void close();
}
