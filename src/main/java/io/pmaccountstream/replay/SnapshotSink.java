package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Where {@code export} writes raw snapshots. */
public interface SnapshotSink extends AutoCloseable {

  void accept(AccountSnapshot snapshot);

  /** Flushes and releases; throws {@link ReplayException} when the file cannot be finished. */
  @Override
  void close();

  /** Where the snapshots went, for the end-of-run report. */
  List<String> destinations();

  /**
   * The sink for a file, by its extension: {@code .avro} (Avro object container of {@link
   * AccountSnapshot}), {@code .csv} or {@code .parquet}.
   *
   * @throws IllegalArgumentException for any other extension
   */
  static SnapshotSink forFile(Path out) {
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".avro")) {
      return new AvroSnapshotSink(out);
    }
    if (name.endsWith(".csv")) {
      return new CsvSnapshotSink(out);
    }
    if (name.endsWith(".parquet")) {
      return new ParquetSnapshotSink(out);
    }
    throw new IllegalArgumentException(
        "--out " + out + ": the extension must be .avro, .csv or .parquet");
  }
}
