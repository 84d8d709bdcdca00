package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.Records.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.serde.ConfluentAvroSerializer;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import io.pmaccountstream.testing.ZeroLengthDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

    assertThatThrownBy(() -> decoder.decode(TOPIC, hostile))
        .isInstanceOfSatisfying(
            BadRecordException.class,
            e -> assertThat(e.kind()).isEqualTo(BadRecordException.UNDECODABLE));
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
}
