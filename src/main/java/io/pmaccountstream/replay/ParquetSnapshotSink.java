package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Raw snapshots as a Parquet file, one row per snapshot, columns in {@link AccountSnapshot} schema
 * order: decimals are {@code DECIMAL(38, 8)}, timestamps {@code TIMESTAMP(MILLIS)} adjusted to UTC,
 * enums strings, nullable fields optional. pandas ({@code pd.read_parquet}, with pyarrow), DuckDB,
 * Spark and Polars read it as is.
 *
 * <p>Written with parquet-java's own {@link LocalOutputFile} and {@link PlainParquetConfiguration},
 * so no Hadoop class is loaded. Uncompressed (values are still dictionary and run-length encoded):
 * every compression codec of parquet-java goes through Hadoop's codec classes.
 */
final class ParquetSnapshotSink implements SnapshotSink {

  private final Path path;
  private final ParquetWriter<AccountSnapshot> writer;
  private long written;

  ParquetSnapshotSink(Path path) {
    this.path = path;
    try {
      this.writer =
          AvroParquetWriter.<AccountSnapshot>builder(new LocalOutputFile(path))
              .withSchema(AccountSnapshot.getClassSchema())
              .withDataModel(new AccountSnapshot().getSpecificData())
              .withConf(new PlainParquetConfiguration())
              .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .build();
    } catch (IOException e) {
      throw new ReplayException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void accept(AccountSnapshot snapshot) {
    try {
      writer.write(snapshot);
    } catch (IOException e) {
      throw new ReplayException("cannot write " + path + ": " + e.getMessage(), e);
    }
    written++;
  }

  @Override
  public void close() {
    try {
      writer.close();
    } catch (IOException e) {
      throw new ReplayException("cannot finish writing " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> destinations() {
    return List.of(path + " (" + written + " snapshots, Parquet)");
  }
}
