package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.Records.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.serde.ConfluentAvroSerializer;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import io.pmaccountstream.testing.ZeroLengthDecimal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class RegistrySnapshotDecoderTest {

  private static final String TOPIC = "pm.account.snapshots";

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final RegistrySnapshotDecoder decoder = new RegistrySnapshotDecoder(registry);
  private final AccountSnapshot snapshot = snapshot("a", 0, "1.23", AccountStatus.NORMAL);

  private byte[] framed() {
    return new ConfluentAvroSerializer<AccountSnapshot>(registry).serialize(TOPIC, snapshot);
  }

  @Test
  void decodesAConfluentFramedSnapshot() {
    assertThat(decoder.decode(TOPIC, framed())).isEqualTo(snapshot);
  }

  @Test
  void bytesWithoutTheMagicByteAreABadRecord() {
    assertThatThrownBy(() -> decoder.decode(TOPIC, "{\"a\":1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            BadRecordException.class,
            e -> assertThat(e.kind()).isEqualTo(BadRecordException.NOT_FRAMED))
        .hasMessageContaining("7 bytes, first byte 123");
  }

  @Test
  void anIdTheRegistryDoesNotKnowIsABadRecord() {
    byte[] unknown = {0, 0, 0, 0x30, 0x39, 2, 0};

    assertThatThrownBy(() -> decoder.decode(TOPIC, unknown))
        .isInstanceOfSatisfying(
            BadRecordException.class,
            e -> assertThat(e.kind()).isEqualTo(BadRecordException.UNKNOWN_SCHEMA_ID))
        .hasMessageContaining("id 12345");
  }

  @Test
  void bytesThatDoNotDecodeWithTheirWriterSchemaAreABadRecord() {
    byte[] truncated = Arrays.copyOf(framed(), 12);

    assertThatThrownBy(() -> decoder.decode(TOPIC, truncated))
        .isInstanceOfSatisfying(
            BadRecordException.class,
            e -> assertThat(e.kind()).isEqualTo(BadRecordException.UNDECODABLE));
  }

  @Test
  void aZeroLengthDecimalIsABadRecordNotAnExceptionThatEndsTheReplay() {
    ConfluentAvroSerializer<AccountSnapshot> serializer = new ConfluentAvroSerializer<>(registry);
    byte[] hostile = ZeroLengthDecimal.of(v -> serializer.serialize(TOPIC, v), snapshot);

    for (RegistrySnapshotDecoder each :
        java.util.List.of(decoder, RegistrySnapshotDecoder.forDerivation(registry))) {
      assertThatThrownBy(() -> each.decode(TOPIC, hostile))
          .isInstanceOfSatisfying(
              BadRecordException.class,
              e -> assertThat(e.kind()).isEqualTo(BadRecordException.UNDECODABLE));
    }
  }

  @Test
  void anUnreachableRegistryStopsTheReplayInsteadOfSkippingEverySnapshot() {
    byte[] bytes = framed();
    RegistrySnapshotDecoder fresh = new RegistrySnapshotDecoder(registry);
    registry.setUnreachable(true);

    assertThatThrownBy(() -> fresh.decode(TOPIC, bytes))
        .isInstanceOf(ReplayException.class)
        .hasMessageContaining("the schema registry failed while decoding " + TOPIC);
  }

  @Test
  void forTheDerivationLeavesTheFieldsItDoesNotReadOut() {
    AccountSnapshot read = RegistrySnapshotDecoder.forDerivation(registry).decode(TOPIC, framed());

    assertThat(read.getAccountId()).isEqualTo(snapshot.getAccountId());
    assertThat(read.getUniMMR()).isEqualTo(snapshot.getUniMMR());
    assertThat(read.getAccountMaintMargin()).isEqualTo(snapshot.getAccountMaintMargin());
    assertThat(read.getObservedAt()).isEqualTo(snapshot.getObservedAt());
    assertThat(read.getActualEquity()).isNull();
    assertThat(read.getPollerInstanceId()).isNull();
  }

  @Test
  void forTheDerivationMalformedBytesAreTheBadRecordTheFullDecodeReports() {
    byte[] bytes = framed();
    byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);

    BadRecordException fast =
        catchThrowableOfType(
            BadRecordException.class,
            () -> RegistrySnapshotDecoder.forDerivation(registry).decode(TOPIC, trailing));
    BadRecordException fully =
        catchThrowableOfType(BadRecordException.class, () -> decoder.decode(TOPIC, trailing));

    assertThat(fast.kind()).isEqualTo(BadRecordException.UNDECODABLE);
    assertThat(fast.detail()).isEqualTo(fully.detail()).contains("bytes left");
  }

  @Test
  void forTheDerivationAnotherWriterSchemaIsDecodedInFull() throws IOException {
    Schema older =
        Schema.createRecord(
            "AccountSnapshot",
            null,
            "io.pmaccountstream.avro",
            false,
            AccountSnapshot.getClassSchema().getFields().stream()
                .filter(f -> !f.name().equals("usedWeight1m"))
                .map(f -> new Schema.Field(f, f.schema()))
                .toList());
    GenericData model = new GenericData();
    model.addLogicalTypeConversion(new Conversions.DecimalConversion());
    model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    GenericData.Record record = new GenericData.Record(older);
    older.getFields().forEach(f -> record.put(f.name(), snapshot.get(f.name())));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int id = registry.register(TOPIC + "-value", older);
    out.write(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericData.Record>(older, model).write(record, encoder);
    encoder.flush();

    AccountSnapshot read =
        RegistrySnapshotDecoder.forDerivation(registry).decode(TOPIC, out.toByteArray());

    assertThat(read).isEqualTo(snapshot);
  }
}
