package io.pmaccountstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.kafka.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * Every schema in {@code schemas/} maps to ksqlDB types, and {@code docs/ksql/streams.sql} declares
 * every topic: the ksqlDB statements infer their columns from these schemas, so a type ksqlDB
 * cannot map would break them at the users' site.
 */
class SchemasAreKsqlDbCompatibleTest {

  private static final Path SCHEMAS = Path.of("schemas");
  private static final Path KSQL = Path.of("docs", "ksql", "streams.sql");

  @Test
  void everySchemaUsesOnlyTypesKsqlDbMaps() throws IOException {
    List<Schema> schemas = parseAll();

    assertThat(schemas)
        .extracting(Schema::getName)
        .contains(
            "AccountSnapshot",
            "AccountStatusTransition",
            "UniMmrLevelEvent",
            "AccountDerivationState");
    for (Schema schema : schemas) {
      assertThat(problems(schema)).as("ksqlDB problems of %s", schema.getFullName()).isEmpty();
    }
  }

  @Test
  void theCheckerRejectsWhatKsqlDbCannotMap() {
    Schema bad =
        new Schema.Parser()
            .parse(
                """
                {"type": "record", "name": "Bad", "fields": [
                  {"name": "either", "type": ["null", "string", "int"]},
                  {"name": "notNull", "type": ["string", "int"]},
                  {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 16}},
                  {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10}},
                  {"name": "self", "type": ["null", "Bad"]}
                ]}
                """);

    assertThat(problems(bad))
        .anySatisfy(p -> assertThat(p).startsWith("Bad.either").contains("union"))
        .anySatisfy(p -> assertThat(p).startsWith("Bad.notNull").contains("union"))
        .anySatisfy(p -> assertThat(p).startsWith("Bad.hash").contains("fixed"))
        .anySatisfy(p -> assertThat(p).startsWith("Bad.amount").contains("scale"))
        .anySatisfy(p -> assertThat(p).startsWith("Bad.self").contains("recursive"));
  }

  @Test
  void streamsSqlDeclaresEveryAvroTopicWithItsEventTimeAsTimestamp() throws IOException {
    String sql = Files.readString(KSQL);
    Topics topics = Topics.defaults();
    List<String> statements = statements(sql);

    for (String topic :
        List.of(
            topics.snapshots(),
            topics.statusTransitions(),
            topics.lowUniMmr(),
            topics.latest(),
            topics.riskLevelChanges())) {
      String statement =
          statements.stream()
              .filter(s -> s.contains("KAFKA_TOPIC = '" + topic + "'"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no CREATE statement for " + topic));
      String time = topic.equals(topics.riskLevelChanges()) ? "eventTime" : "observedAt";
      assertThat(statement)
          .as(topic)
          .contains("TIMESTAMP = '" + time + "'", "VALUE_FORMAT = 'AVRO'", "KEY_FORMAT = 'KAFKA'");
      if (topic.equals(topics.latest())) {
        assertThat(statement).contains("CREATE SOURCE TABLE", "STRING PRIMARY KEY");
      } else {
        assertThat(statement).contains("CREATE STREAM", "STRING KEY");
      }
    }
  }

  private static List<String> statements(String sql) {
    StringBuilder code = new StringBuilder();
    for (String line : sql.split("\n")) {
      if (!line.strip().startsWith("--")) {
        code.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String s : code.toString().split(";")) {
      if (!s.isBlank()) {
        statements.add(s.strip());
      }
    }
    return statements;
  }

  /** Parses the schemas as the build does: AccountStatus first, the others may use it. */
  private static List<Schema> parseAll() throws IOException {
    Schema.Parser parser = new Schema.Parser();
    List<Schema> schemas = new ArrayList<>();
    schemas.add(parser.parse(SCHEMAS.resolve("AccountStatus.avsc").toFile()));
    try (Stream<Path> files = Files.list(SCHEMAS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
        if (!file.getFileName().toString().equals("AccountStatus.avsc")) {
          schemas.add(parser.parse(file.toFile()));
        }
      }
    }
    return schemas;
  }

  /** What ksqlDB cannot map in {@code schema}, as "Record.field: problem" lines. */
  static List<String> problems(Schema schema) {
    List<String> problems = new ArrayList<>();
    check(schema, schema.getName(), new HashSet<>(), problems);
    return problems;
  }

  private static void check(
      Schema schema, String path, Set<String> enclosing, List<String> problems) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!enclosing.add(schema.getFullName())) {
          problems.add(
              path
                  + ": recursive record "
                  + schema.getFullName()
                  + " (ksqlDB has no recursive types)");
          return;
        }
        for (Schema.Field field : schema.getFields()) {
          check(field.schema(), schema.getName() + "." + field.name(), enclosing, problems);
        }
        enclosing.remove(schema.getFullName());
      }
      case UNION -> {
        List<Schema> branches = schema.getTypes();
        long nulls = branches.stream().filter(b -> b.getType() == Schema.Type.NULL).count();
        if (branches.size() != 2 || nulls != 1) {
          problems.add(path + ": union " + branches + " (ksqlDB maps only [null, X] unions)");
          return;
        }
        branches.stream()
            .filter(b -> b.getType() != Schema.Type.NULL)
            .forEach(b -> check(b, path, enclosing, problems));
      }
      case ARRAY -> check(schema.getElementType(), path + "[]", enclosing, problems);
      case MAP -> check(schema.getValueType(), path + "{}", enclosing, problems);
      case BYTES -> checkDecimal(schema, path, problems);
      case FIXED ->
          problems.add(path + ": fixed " + schema.getFullName() + " (ksqlDB does not map fixed)");
      case NULL -> problems.add(path + ": bare null (ksqlDB has no null type)");
      case ENUM, STRING, INT, LONG, FLOAT, DOUBLE, BOOLEAN -> {}
    }
  }

  private static void checkDecimal(Schema schema, String path, List<String> problems) {
    LogicalType logical = schema.getLogicalType();
    if (logical == null) {
      return;
    }
    if (!(logical instanceof LogicalTypes.Decimal decimal)) {
      problems.add(path + ": bytes with logical type " + logical.getName());
      return;
    }
    if (schema.getObjectProp("scale") == null) {
      problems.add(
          path + ": decimal without an explicit scale (ksqlDB needs a fixed precision and scale)");
    }
    if (decimal.getPrecision() > 38) {
      problems.add(path + ": decimal precision " + decimal.getPrecision() + " above 38");
    }
  }

  @Test
  void queriesReferOnlyToDeclaredSources() throws IOException {
    Set<String> declared = new HashSet<>();
    Matcher create =
        Pattern.compile("CREATE (?:SOURCE )?(?:STREAM|TABLE) IF NOT EXISTS (\\w+)")
            .matcher(Files.readString(KSQL));
    while (create.find()) {
      declared.add(create.group(1).toLowerCase(Locale.ROOT));
    }
    Matcher from =
        Pattern.compile("FROM (\\w+)")
            .matcher(Files.readString(KSQL.resolveSibling("queries.sql")));
    List<String> used = new ArrayList<>();
    while (from.find()) {
      used.add(from.group(1).toLowerCase(Locale.ROOT));
    }

    assertThat(declared).hasSize(5);
    assertThat(used).isNotEmpty().allSatisfy(source -> assertThat(declared).contains(source));
  }
}
