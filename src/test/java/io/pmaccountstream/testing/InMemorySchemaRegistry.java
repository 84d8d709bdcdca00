package io.pmaccountstream.testing;

import io.pmaccountstream.publish.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A test double of the schema registry for unit tests (never for ITs): ids are global and stable
 * per distinct schema, as in Confluent's registry; every subject keeps its versions in order.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

  private final Map<Schema, Integer> idsBySchema = new LinkedHashMap<>();
  private final Map<Integer, Schema> schemasById = new LinkedHashMap<>();
  private final Map<String, List<Schema>> versionsBySubject = new LinkedHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger(1);

  @Override
  public synchronized int register(String subject, Schema schema) {
    Integer id = idsBySchema.get(schema);
    if (id == null) {
      id = nextId.getAndIncrement();
      idsBySchema.put(schema, id);
      schemasById.put(id, schema);
    }
    List<Schema> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(schema)) {
      versions.add(schema);
    }
    return id;
  }

  @Override
  public synchronized Schema schemaById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new IllegalArgumentException("schema id " + id + " is not registered");
    }
    return schema;
  }

  /** Subjects in the order they were first registered. */
  public synchronized List<String> subjects() {
    return List.copyOf(versionsBySubject.keySet());
  }

  public synchronized List<Schema> versions(String subject) {
    return List.copyOf(versionsBySubject.getOrDefault(subject, List.of()));
  }

  @Override
  public void close() {}
}
