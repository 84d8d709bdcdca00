package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import java.nio.file.Path;
import java.util.Optional;

/** Where {@code export} writes raw snapshots. */
public interface SnapshotSink extends OutputSink {

  void accept(AccountSnapshot snapshot);

  /**
   * The sink for a file, by its extension: {@code .avro} (Avro object container of {@link
   * AccountSnapshot}), {@code .csv} or {@code .parquet}.
   *
   * @throws IllegalArgumentException for any other extension
   */
  static SnapshotSink forFile(Path out) {
    if (OutputSink.hasExtension(out, ".avro")) {
      return new AvroSnapshotSink(out);
    }
    if (OutputSink.hasExtension(out, ".csv")) {
      return new CsvSnapshotSink(out);
    }
    if (OutputSink.hasExtension(out, ".parquet")) {
      return new ParquetSnapshotSink(out);
    }
    throw new IllegalArgumentException(refusal(out).orElseThrow());
  }

  /**
   * Why {@link #forFile} would refuse {@code out}, if it would; checks the name without creating
   * anything (for start-up validation).
   */
  static Optional<String> refusal(Path out) {
    return OutputSink.hasExtension(out, ".avro", ".csv", ".parquet")
        ? Optional.empty()
        : Optional.of("--out " + out + ": the extension must be .avro, .csv or .parquet");
  }
}
