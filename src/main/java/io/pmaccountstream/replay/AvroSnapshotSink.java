package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import java.nio.file.Path;
import java.util.List;

/**
 * Raw snapshots as an Avro object container file of {@link AccountSnapshot}, schema and logical
 * types included: {@code fastavro.reader} / {@code pandas.DataFrame.from_records}, or Spark's
 * {@code spark.read.format("avro")}, read it as is.
 */
final class AvroSnapshotSink implements SnapshotSink {

  private final AvroContainerWriter<AccountSnapshot> writer;

  AvroSnapshotSink(Path out) {
    this.writer =
        new AvroContainerWriter<>(out, AccountSnapshot.class, AccountSnapshot.getClassSchema());
  }

  @Override
  public void accept(AccountSnapshot snapshot) {
    writer.append(snapshot);
  }

  @Override
  public void close() {
    writer.close();
  }

  @Override
  public List<String> destinations() {
    return List.of(writer.path() + " (" + writer.written() + " snapshots, Avro)");
  }
}
