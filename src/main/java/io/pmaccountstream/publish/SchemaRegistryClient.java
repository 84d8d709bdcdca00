package io.pmaccountstream.publish;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API the serde needs. Implementations cache: a
 * schema id never changes its schema, so {@link #schemaById(int)} is fetched at most once per id,
 * and {@link #register} at most once per (subject, schema).
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /**
   * {@code POST /subjects/{subject}/versions}: the id of the schema under the subject, registering
   * it if new.
   */
  int register(String subject, Schema schema);

  /** {@code GET /schemas/ids/{id}}: the writer schema of a record. */
  Schema schemaById(int id);

  @Override
  void close();
}
