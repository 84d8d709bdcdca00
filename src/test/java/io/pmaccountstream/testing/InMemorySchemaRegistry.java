package io.pmaccountstream.testing;

import io.pmaccountstream.serde.SchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryException;
import io.pmaccountstream.serde.SchemaRegistryException.Reason;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A schema registry in memory, for unit tests only (ITs use the real registry): ids are global and
 * shared by equal schemas as in Confluent's registry, each subject keeps its versions, and a
 * subject's compatibility level ({@code NONE} by default, {@code BACKWARD}, {@code
 * BACKWARD_TRANSITIVE}, {@code FORWARD}, {@code FORWARD_TRANSITIVE}, {@code FULL}, {@code
 * FULL_TRANSITIVE}) is enforced with Avro's own schema resolution rules. It counts the calls that
 * reach it, so tests can prove a client-side cache, and can play an unreachable registry. Does not
 * cache anything itself. Thread-safe.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

  public static final String URL = "mem://schema-registry";

  private final Map<Schema, Integer> idsBySchema = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, List<Schema>> versions = new HashMap<>();
  private final Map<String, String> compatibility = new HashMap<>();
  private final AtomicInteger registerCalls = new AtomicInteger();
  private final AtomicInteger lookupCalls = new AtomicInteger();
  private final AtomicInteger schemaByIdCalls = new AtomicInteger();
  private int nextId = 1;
  private boolean unreachable;
  private boolean closed;

  @Override
  public synchronized int register(String subject, Schema schema) {
    registerCalls.incrementAndGet();
    failIfUnreachable("register a schema under subject '" + subject + "'");
    List<Schema> subjectVersions = versions.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!subjectVersions.contains(schema)) {
      checkCompatible(subject, schema, subjectVersions);
      subjectVersions.add(schema);
    }
    return idOf(schema);
  }

  @Override
  public synchronized int lookup(String subject, Schema schema) {
    lookupCalls.incrementAndGet();
    failIfUnreachable("look up a schema under subject '" + subject + "'");
    if (!versions.getOrDefault(subject, List.of()).contains(schema)) {
      throw SchemaRegistryException.answered(
          Reason.NOT_FOUND,
          "look up a schema under subject '" + subject + "'",
          URL + "/subjects/" + subject,
          404,
          40403,
          "Schema not found");
    }
    return idsBySchema.get(schema);
  }

  @Override
  public synchronized Schema schemaById(int id) {
    schemaByIdCalls.incrementAndGet();
    failIfUnreachable("fetch schema id " + id);
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw SchemaRegistryException.answered(
          Reason.UNKNOWN_SCHEMA_ID,
          "fetch schema id " + id,
          URL + "/schemas/ids/" + id,
          404,
          40403,
          "Schema " + id + " not found");
    }
    return schema;
  }

  @Override
  public synchronized Optional<String> compatibility(String subject) {
    failIfUnreachable("read the compatibility level of subject '" + subject + "'");
    return Optional.ofNullable(compatibility.get(subject));
  }

  @Override
  public synchronized void setCompatibility(String subject, String level) {
    failIfUnreachable("set compatibility " + level + " on subject '" + subject + "'");
    compatibility.put(subject, level);
  }

  /** Registers a schema under an id of the test's choosing (ids written by "another producer"). */
  public synchronized void put(int id, Schema schema) {
    schemasById.put(id, schema);
    idsBySchema.putIfAbsent(schema, id);
    nextId = Math.max(nextId, id + 1);
  }

  /** While true, every call fails as an unreachable registry would. */
  public synchronized void setUnreachable(boolean unreachable) {
    this.unreachable = unreachable;
  }

  public int registerCalls() {
    return registerCalls.get();
  }

  public int lookupCalls() {
    return lookupCalls.get();
  }

  public int schemaByIdCalls() {
    return schemaByIdCalls.get();
  }

  public synchronized List<Schema> versions(String subject) {
    return List.copyOf(versions.getOrDefault(subject, List.of()));
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  private int idOf(Schema schema) {
    Integer id = idsBySchema.get(schema);
    if (id == null) {
      id = nextId++;
      idsBySchema.put(schema, id);
      schemasById.put(id, schema);
    }
    return id;
  }

  private void checkCompatible(String subject, Schema candidate, List<Schema> existing) {
    String level = compatibility.getOrDefault(subject, "NONE");
    if (existing.isEmpty() || level.equals("NONE")) {
      return;
    }
    List<Schema> against =
        level.endsWith("_TRANSITIVE") ? existing : List.of(existing.get(existing.size() - 1));
    boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
    boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
    for (Schema old : against) {
      if ((backward && !canRead(candidate, old)) || (forward && !canRead(old, candidate))) {
        throw SchemaRegistryException.answered(
            Reason.INCOMPATIBLE_SCHEMA,
            "register a schema under subject '" + subject + "'",
            URL + "/subjects/" + subject + "/versions",
            409,
            409,
            "Schema being registered is incompatible with an earlier schema (" + level + ")");
      }
    }
  }

  private static boolean canRead(Schema reader, Schema writer) {
    return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
        == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
  }

  private void failIfUnreachable(String action) {
    if (unreachable) {
      throw SchemaRegistryException.unreachable(
          action, URL, new ConnectException("Connection refused (test double)"));
    }
  }
}
