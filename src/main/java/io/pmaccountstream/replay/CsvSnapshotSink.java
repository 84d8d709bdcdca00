package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Raw snapshots as CSV (RFC 4180): a header with the {@link AccountSnapshot} field names in schema
 * order, then one row per snapshot. Decimals are plain strings at scale 8, timestamps ISO-8601 UTC,
 * a null value is an empty cell. Read decimals exactly with {@code pd.read_csv(path, dtype=str)}
 * and convert with {@code decimal.Decimal}.
 */
final class CsvSnapshotSink implements SnapshotSink {

  private static final List<Schema.Field> FIELDS = AccountSnapshot.getClassSchema().getFields();

  private final Path path;
  private final BufferedWriter out;
  private final StringBuilder row = new StringBuilder(512);
  private long written;

  CsvSnapshotSink(Path path) {
    this.path = path;
    try {
      this.out = Files.newBufferedWriter(path);
      for (int i = 0; i < FIELDS.size(); i++) {
        row.append(i == 0 ? "" : ",").append(FIELDS.get(i).name());
      }
      writeRow();
    } catch (IOException e) {
      throw new ReplayException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void accept(AccountSnapshot snapshot) {
    for (int i = 0, n = FIELDS.size(); i < n; i++) {
      if (i > 0) {
        row.append(',');
      }
      Csv.appendCell(row, FieldValues.text(snapshot.get(i)));
    }
    try {
      writeRow();
    } catch (IOException e) {
      throw new ReplayException("cannot write " + path + ": " + e.getMessage(), e);
    }
    written++;
  }

  private void writeRow() throws IOException {
    row.append("\r\n");
    out.append(row);
    row.setLength(0);
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new ReplayException("cannot finish writing " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> destinations() {
    return List.of(path + " (" + written + " snapshots, CSV)");
  }
}
