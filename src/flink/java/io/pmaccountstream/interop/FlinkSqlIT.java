package io.pmaccountstream.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.LevelEventKind;
import io.pmaccountstream.avro.RiskLevelChange;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink SQL reads our topics: the {@code CREATE TABLE} statements of {@code docs/sql/flink.sql}
 * ('avro-confluent', Confluent's registry client shaded in Flink's jar, against the real registry)
 * and the queries of {@code docs/sql/flink-queries.sql}, run in batch mode on an embedded
 * MiniCluster over the real broker, with asserted results. Only in the {@code flink-sql} profile.
 */
class FlinkSqlIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final String[] TABLES = {
    "pm_account_snapshots",
    "pm_account_status_transitions",
    "pm_account_low_unimmr",
    "pm_account_latest",
    "pm_account_risk_level_changes"
  };
  private static final BigDecimal LEVEL = new BigDecimal("1.20000000");

  @TempDir static Path dir;

  static InteropHistory history;
  static TableEnvironment sql;
  static Map<String, String> queries;

  @BeforeAll
  static void publishAndCreateTables() throws Exception {
    history = InteropHistory.create();
    try (Admin admin = kafka.admin()) {
      history.publish(kafka.bootstrapServers(), registry.url(), admin, dir.resolve("state"));
    }
    sql = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    sql.getConfig().set("parallelism.default", "1");
    sql.getConfig().set("table.local-time-zone", "UTC");
    for (String statement : statements(read("docs/sql/flink.sql"))) {
      sql.executeSql(localized(statement));
    }
    for (String table : TABLES) {
      sql.executeSql("ALTER TABLE " + table + " SET ('scan.bounded.mode' = 'latest-offset')")
          .await();
    }
    queries = named(read("docs/sql/flink-queries.sql"));
  }

  @Test
  void everyTableReadsEveryRecordWithTheWrittenValues() {
    assertThat(rows("SELECT * FROM pm_account_snapshots"))
        .containsExactlyInAnyOrderElementsOf(keyedRows(history.snapshots));
    assertThat(rows("SELECT * FROM pm_account_status_transitions"))
        .containsExactlyInAnyOrderElementsOf(keyedRows(history.transitions));
    assertThat(rows("SELECT * FROM pm_account_low_unimmr"))
        .containsExactlyInAnyOrderElementsOf(keyedRows(history.levelEvents));
    assertThat(rows("SELECT * FROM pm_account_latest"))
        .containsExactlyInAnyOrderElementsOf(keyedRows(history.accepted));
    assertThat(rows("SELECT * FROM pm_account_risk_level_changes"))
        .containsExactlyInAnyOrderElementsOf(keyedRows(history.riskLevelChanges));
  }

  @Test
  void columnsAreTheAvroSchemasFieldForFieldWithTheKsqlDbTypes() {
    Map<String, Schema> schemas =
        Map.of(
            "pm_account_snapshots", AccountSnapshot.getClassSchema(),
            "pm_account_status_transitions", AccountStatusTransition.getClassSchema(),
            "pm_account_low_unimmr", UniMmrLevelEvent.getClassSchema(),
            "pm_account_latest", AccountSnapshot.getClassSchema(),
            "pm_account_risk_level_changes", RiskLevelChange.getClassSchema());
    schemas.forEach(
        (table, schema) -> {
          Map<String, String> expected = new LinkedHashMap<>();
          expected.put("account_key", "STRING NOT NULL");
          for (Schema.Field field : schema.getFields()) {
            expected.put(field.name(), flinkType(field.schema()));
          }
          Map<String, String> actual = new LinkedHashMap<>();
          for (Column column : sql.from(table).getResolvedSchema().getColumns()) {
            actual.put(column.getName(), column.getDataType().toString());
          }
          assertThat(actual).as(table).containsExactlyEntriesOf(expected);
        });
  }

  @Test
  void eachTablesReaderSchemaIsOurSchemaWithoutDocs() throws IOException {
    Map<String, String> expected =
        Map.of(
            "pm_account_snapshots", "AccountSnapshot",
            "pm_account_status_transitions", "AccountStatusTransition",
            "pm_account_low_unimmr", "UniMmrLevelEvent",
            "pm_account_latest", "AccountSnapshot",
            "pm_account_risk_level_changes", "RiskLevelChange");
    Map<String, Schema> readerSchemas = new TreeMap<>();
    Matcher m =
        Pattern.compile(
                "CREATE TABLE (\\w+) .*?'value\\.avro-confluent\\.schema' = '([^']*)'",
                Pattern.DOTALL)
            .matcher(read("docs/sql/flink.sql"));
    while (m.find()) {
      readerSchemas.put(m.group(1), new Schema.Parser().parse(m.group(2)));
    }
    assertThat(readerSchemas).containsOnlyKeys(TABLES);
    for (var table : readerSchemas.entrySet()) {
      Schema.Parser parser = new Schema.Parser();
      parser.parse(read("schemas/AccountStatus.avsc"));
      Schema ours = parser.parse(read("schemas/" + expected.get(table.getKey()) + ".avsc"));
      assertThat(table.getValue()).as(table.getKey()).isEqualTo(ours);
    }
  }

  @Test
  void accountsBelowOnePointTwoNow() {
    List<Row> expected = new ArrayList<>();
    for (AccountSnapshot s : history.latest().values()) {
      if (s.getUniMMR() != null && s.getUniMMR().compareTo(LEVEL) < 0) {
        expected.add(
            Row.of(
                s.getAccountId(),
                s.getUniMMR(),
                s.getAccountStatus().name(),
                utc(s.getObservedAt())));
      }
    }
    assertThat(expected)
        .extracting(r -> r.getField(0))
        .as("the story")
        .containsExactly(InteropHistory.STEERED);

    assertThat(rows(queries.get("accounts-below-1.2-now")))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void transitionsIntoReduceOnlyInTheLastHour() {
    Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
    List<Row> expected = new ArrayList<>();
    for (AccountStatusTransition t : history.transitions) {
      if (t.getStatus() == AccountStatus.REDUCE_ONLY && !t.getObservedAt().isBefore(hourAgo)) {
        expected.add(
            Row.of(
                t.getAccountId(),
                t.getPreviousStatus() == null ? null : t.getPreviousStatus().name(),
                t.getStatus().name(),
                t.getUniMMR(),
                utc(t.getObservedAt())));
      }
    }
    // The story: into REDUCE_ONLY at minutes 0 and 20 (over an hour ago), 60 and 80 (within it).
    assertThat(expected)
        .extracting(r -> r.getField(4))
        .containsExactly(utc(history.at(60)), utc(history.at(80)));

    assertThat(rows(queries.get("transitions-into-reduce-only-last-hour")))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void timeBelowOnePointTwoPerAccountPerDay() {
    // Pair each BREACHED at 1.2 with the account's next event at 1.2, by the breach's UTC day:
    // {breaches, seconds below in recovered episodes, still below, recovered episodes}.
    Map<List<Object>, long[]> perDay =
        new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    Map<String, Instant> open = new HashMap<>();
    for (UniMmrLevelEvent e : history.levelEvents) {
      if (e.getLevel().compareTo(LEVEL) != 0) {
        continue;
      }
      if (e.getKind() == LevelEventKind.BREACHED) {
        open.put(e.getAccountId(), e.getObservedAt());
        perDay.computeIfAbsent(key(e.getAccountId(), e.getObservedAt()), k -> new long[4])[0]++;
      } else {
        Instant breached = open.remove(e.getAccountId());
        long[] day = perDay.get(key(e.getAccountId(), breached));
        day[1] += Duration.between(breached, e.getObservedAt()).toSeconds();
        day[3]++;
      }
    }
    open.forEach((account, breached) -> perDay.get(key(account, breached))[2]++);
    List<Row> expected = new ArrayList<>();
    perDay.forEach(
        (k, v) -> expected.add(Row.of(k.get(0), k.get(1), v[0], v[3] == 0 ? null : v[1], v[2])));
    // The story: steered below 15 min, then again still; recovered account below 50 min.
    assertThat(expected.stream().mapToLong(r -> (Long) r.getField(2)).sum()).isEqualTo(3);

    assertThat(rows(queries.get("time-below-1.2-per-account-per-day")))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void riskLevelPushesOfTheLastTwoHours() {
    Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
    List<Row> expected = new ArrayList<>();
    for (RiskLevelChange c : history.riskLevelChanges) {
      if (!c.getEventTime().isBefore(twoHoursAgo)) {
        expected.add(
            Row.of(c.getAccountId(), c.getRiskLevel(), c.getUniMMR(), utc(c.getEventTime())));
      }
    }
    // The story: every push lies within the last 100 minutes, one of them without a uniMMR.
    assertThat(expected).hasSize(4).anySatisfy(r -> assertThat(r.getField(2)).isNull());

    assertThat(rows(queries.get("risk-level-pushes-last-two-hours")))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  /** A TIMESTAMP(3) column's value: the UTC date and time. */
  private static LocalDateTime utc(Instant at) {
    return LocalDateTime.ofInstant(at, ZoneOffset.UTC);
  }

  private static List<Object> key(String account, Instant at) {
    return List.of(account, LocalDate.ofInstant(at, ZoneOffset.UTC));
  }

  /** The Flink type that reads an Avro field (the types docs/ksql/README.md promises). */
  private static String flinkType(Schema schema) {
    boolean nullable = schema.isNullable();
    Schema type =
        nullable
            ? schema.getTypes().stream()
                .filter(s -> s.getType() != Schema.Type.NULL)
                .findFirst()
                .get()
            : schema;
    String name =
        switch (type.getType()) {
          case STRING, ENUM -> "STRING";
          case INT -> "INT";
          case LONG ->
              "timestamp-millis".equals(type.getProp("logicalType")) ? "TIMESTAMP(3)" : "BIGINT";
          case BYTES -> "DECIMAL(38, 8)";
          default -> throw new IllegalArgumentException("unmapped " + type);
        };
    return nullable ? name : name + " NOT NULL";
  }

  private static List<Row> keyedRows(
      List<? extends org.apache.avro.specific.SpecificRecord> records) {
    List<Row> rows = new ArrayList<>();
    for (var record : records) {
      List<Object> fields = new ArrayList<>();
      fields.add(record.get(record.getSchema().getField("accountId").pos()).toString());
      for (Schema.Field field : record.getSchema().getFields()) {
        Object value = record.get(field.pos());
        fields.add(
            value instanceof Enum<?> e ? e.name() : value instanceof Instant t ? utc(t) : value);
      }
      rows.add(Row.of(fields.toArray()));
    }
    return rows;
  }

  private static List<Row> rows(String query) {
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = sql.executeSql(query).collect()) {
      it.forEachRemaining(rows::add);
    } catch (Exception e) {
      throw new IllegalStateException(query + ": " + e.getMessage(), e);
    }
    return rows;
  }

  /** The documented statement with this test's broker, registry and topic names. */
  private static String localized(String statement) {
    Topics topics = history.topics;
    Topics defaults = Topics.defaults();
    return statement
        .replace("'localhost:9092'", "'" + kafka.bootstrapServers() + "'")
        .replace("'http://localhost:8081'", "'" + registry.url() + "'")
        .replace("'" + defaults.snapshots() + "'", "'" + topics.snapshots() + "'")
        .replace("'" + defaults.statusTransitions() + "'", "'" + topics.statusTransitions() + "'")
        .replace("'" + defaults.lowUniMmr() + "'", "'" + topics.lowUniMmr() + "'")
        .replace("'" + defaults.latest() + "'", "'" + topics.latest() + "'")
        .replace("'" + defaults.riskLevelChanges() + "'", "'" + topics.riskLevelChanges() + "'");
  }

  private static String read(String relative) throws IOException {
    return Files.readString(Path.of(System.getProperty("pmas.project.dir", ".")).resolve(relative));
  }

  /** The statements of a file: comment lines dropped, split at a ';' that ends a line. */
  static List<String> statements(String file) {
    StringBuilder text = new StringBuilder();
    for (String line : file.split("\n")) {
      if (!line.strip().startsWith("--")) {
        text.append(line).append('\n');
      }
    }
    return Arrays.stream(text.toString().split(";\\s*\n"))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /** The queries of a file by their {@code -- query: NAME} line. */
  static Map<String, String> named(String file) {
    Map<String, String> named = new LinkedHashMap<>();
    String[] parts = file.split("-- query: ");
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i];
      int eol = part.indexOf('\n');
      List<String> body = statements(part.substring(eol + 1));
      named.put(part.substring(0, eol).strip(), body.get(0));
    }
    return named;
  }
}
