package io.pmaccountstream.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * An Avro object container file of one generated record class, deflate-compressed (the codec every
 * Avro reader has: fastavro, Spark, avro-tools). The writer schema in the header is the class's, so
 * decimal ({@code bytes}, precision 38, scale 8) and {@code timestamp-millis} logical types reach
 * the reader: fastavro gives {@code decimal.Decimal} and {@code datetime}, Spark {@code
 * DecimalType(38,8)} and {@code TimestampType}.
 */
final class AvroContainerWriter<T extends SpecificRecord> implements AutoCloseable {

  private static final int DEFLATE_LEVEL = 1;

  private final Path path;
  private final DataFileWriter<T> writer;
  private long written;

  AvroContainerWriter(Path path, Class<T> type, Schema schema) {
    this.path = path;
    this.writer = new DataFileWriter<>(new SpecificDatumWriter<>(type));
    writer.setCodec(CodecFactory.deflateCodec(DEFLATE_LEVEL));
    try {
      writer.create(schema, Files.newOutputStream(path));
    } catch (IOException e) {
      throw failure("cannot write", e);
    }
  }

  void append(T record) {
    try {
      writer.append(record);
      written++;
    } catch (IOException e) {
      throw failure("cannot write", e);
    }
  }

  Path path() {
    return path;
  }

  long written() {
    return written;
  }

  @Override
  public void close() {
    try {
      writer.close();
    } catch (IOException e) {
      throw failure("cannot finish writing", e);
    }
  }

  private ReplayException failure(String what, IOException e) {
    return new ReplayException(what + " " + path + ": " + e.getMessage(), e);
  }
}
