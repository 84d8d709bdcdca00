package io.pmaccountstream.testing;

import io.pmaccountstream.publish.SchemaRegistryClient;
import io.pmaccountstream.publish.SchemaRegistryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A test double of the schema registry for unit tests (never for ITs): ids are global and stable
 * per distinct schema, as in Confluent's registry; every subject keeps its versions in order.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

  private static final String URL = "memory://registry";

  private final Map<Schema, Integer> idsBySchema = new LinkedHashMap<>();
  private final Map<Integer, Schema> schemasById = new LinkedHashMap<>();
  private final Map<String, List<Schema>> versionsBySubject = new LinkedHashMap<>();
  private final Map<String, String> compatibilityBySubject = new LinkedHashMap<>();
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
      throw SchemaRegistryException.answered(
          SchemaRegistryException.Reason.UNKNOWN_SCHEMA_ID,
          "fetch schema id " + id,
          URL + "/schemas/ids/" + id,
          404,
          40403,
          "Schema " + id + " not found");
    }
    return schema;
  }

  @Override
  public synchronized int lookup(String subject, Schema schema) {
    Integer id = idsBySchema.get(schema);
    if (id == null || !versions(subject).contains(schema)) {
      throw SchemaRegistryException.answered(
          SchemaRegistryException.Reason.NOT_FOUND,
          "look up a schema under " + subject,
          URL + "/subjects/" + subject,
          404,
          40403,
          "Schema not found");
    }
    return id;
  }

  @Override
  public synchronized Optional<String> compatibility(String subject) {
    return Optional.ofNullable(compatibilityBySubject.get(subject));
  }

  /** Records the level; it checks nothing (compatibility is tested against the real registry). */
  @Override
  public synchronized void setCompatibility(String subject, String level) {
    compatibilityBySubject.put(subject, level);
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
