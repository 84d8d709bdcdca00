package io.pmaccountstream.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.testing.TestSnapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet export, read back by an independent reader (DuckDB's own Parquet reader, in C++), on
 * a test classpath without Hadoop.
 */
class ParquetSnapshotSinkTest {

  @TempDir Path dir;

  private final AccountSnapshot big =
      snapshot(
          TestSnapshots.of("acct-big")
              .uniMmr("1.15000001")
              .equity("123456789012345678901234.12345678")
              .status(AccountStatus.REDUCE_ONLY)
              .sequence(7)
              .at(0));
  private final AccountSnapshot empty =
      snapshot(TestSnapshots.of("acct-empty").uniMmr(null).unknownStatus("NEW_STATUS").at(61));

  private static AccountSnapshot snapshot(AccountSnapshot s) {
    s.setObservedAt(s.getObservedAt().plusMillis(123));
    s.setUsedWeight1m(null);
    s.setTotalMarginOpenLoss(TestSnapshots.decimal("0"));
    return s;
  }

  @Test
  void runsWithoutHadoopOnTheClasspath() {
    assertThatThrownBy(() -> Class.forName("org.apache.hadoop.conf.Configuration"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void duckDbReadsEveryColumnWithItsTypeAndExactValue() throws Exception {
    Path out = write("history.parquet", big, empty);

    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement()) {
      Map<String, String> columns = new LinkedHashMap<>();
      try (ResultSet rs = sql.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + out + "')")) {
        while (rs.next()) {
          columns.put(rs.getString("column_name"), rs.getString("column_type"));
        }
      }
      Map<String, String> expected = new LinkedHashMap<>();
      for (Schema.Field field : AccountSnapshot.getClassSchema().getFields()) {
        expected.put(field.name(), duckDbType(field.schema()));
      }
      assertThat(columns).containsExactlyEntriesOf(expected);

      List<List<Object>> rows = new ArrayList<>();
      try (ResultSet rs =
          sql.executeQuery("SELECT * FROM read_parquet('" + out + "') ORDER BY observedAt")) {
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= columns.size(); i++) {
            Object value = rs.getObject(i);
            row.add(value instanceof OffsetDateTime t ? t.toInstant() : value);
          }
          rows.add(row);
        }
      }
      assertThat(rows).containsExactly(values(big), values(empty));
    }
  }

  @Test
  void reportsWhereTheSnapshotsWentAndOverwritesAnOldFile() throws Exception {
    Path out = dir.resolve("again.parquet");
    Files.writeString(out, "an older export");
    try (SnapshotSink sink = SnapshotSink.forFile(out)) {
      sink.accept(big);
      assertThat(sink.destinations()).containsExactly(out + " (1 snapshots, Parquet)");
    }
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement();
        ResultSet rs = sql.executeQuery("SELECT count(*) FROM read_parquet('" + out + "')")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(1);
    }
  }

  private Path write(String name, AccountSnapshot... snapshots) {
    Path out = dir.resolve(name);
    try (SnapshotSink sink = SnapshotSink.forFile(out)) {
      for (AccountSnapshot s : snapshots) {
        sink.accept(s);
      }
    }
    return out;
  }

  /** The values DuckDB's JDBC driver returns for a snapshot, in column order. */
  private static List<Object> values(AccountSnapshot s) {
    List<Object> values = new ArrayList<>();
    for (Schema.Field field : AccountSnapshot.getClassSchema().getFields()) {
      Object value = s.get(field.pos());
      values.add(value instanceof Enum<?> e ? e.name() : value);
    }
    return values;
  }

  private static String duckDbType(Schema schema) {
    Schema type =
        schema.isNullable()
            ? schema.getTypes().stream()
                .filter(s -> s.getType() != Schema.Type.NULL)
                .findFirst()
                .orElseThrow()
            : schema;
    return switch (type.getType()) {
      case STRING, ENUM -> "VARCHAR";
      case INT -> "INTEGER";
      case LONG ->
          "timestamp-millis".equals(type.getProp("logicalType"))
              ? "TIMESTAMP WITH TIME ZONE"
              : "BIGINT";
      case BYTES -> "DECIMAL(38,8)";
      default -> throw new IllegalArgumentException("unmapped " + type);
    };
  }
}
