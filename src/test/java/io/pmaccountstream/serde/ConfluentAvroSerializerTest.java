package io.pmaccountstream.serde;

import static io.pmaccountstream.testing.Samples.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.serde.SchemaRegistryException.Reason;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import io.pmaccountstream.testing.Samples;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerializerTest {

  private static final String TOPIC = "pm.account.snapshots";

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final ConfluentAvroSerializer<AccountSnapshot> serializer =
      new ConfluentAvroSerializer<>(registry);

  @Test
  void writesMagicByteBigEndianSchemaIdThenAvroBinary() throws Exception {
    registry.put(0x01020304, AccountSnapshot.getClassSchema());
    AccountSnapshot snapshot =
        AccountSnapshot.newBuilder(Samples.snapshot())
            .setAccountId("a")
            .setUniMMR(d("1.5"))
            .setAccountEquity(d("-1"))
            .setActualEquity(d("0"))
            .build();

    byte[] bytes = serializer.serialize(TOPIC, snapshot);

    String expectedStart =
        "00"
            + "01020304" // magic byte, schema id 0x01020304 big-endian
            + "02"
            + "61" // accountId: length 1 (zig-zag 2), "a"
            + "02"
            + "08"
            + "08f0d180" // uniMMR: union branch 1, 4 bytes, 150000000 (1.5 at scale 8)
            + "08"
            + "fa0a1f00" // accountEquity: 4 bytes, -100000000 (-1 at scale 8)
            + "02"
            + "00"; // actualEquity: 1 byte, 0
    assertThat(HexFormat.of().formatHex(bytes)).startsWith(expectedStart);
    assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(plainAvro(snapshot));
  }

  @Test
  void registersUnderTopicValueSubjectAndKeySubjectForKeys() {
    new ConfluentAvroSerializer<AccountSnapshot>(registry).serialize(TOPIC, Samples.snapshot());
    new ConfluentAvroSerializer<AccountSnapshot>(registry, true)
        .serialize(TOPIC, Samples.snapshot());

    assertThat(registry.versions(TOPIC + "-value"))
        .containsExactly(AccountSnapshot.getClassSchema());
    assertThat(registry.versions(TOPIC + "-key")).containsExactly(AccountSnapshot.getClassSchema());
  }

  @Test
  void registersOncePerTopicAndSchemaHoweverManyRecords() {
    for (int i = 0; i < 1_000; i++) {
      serializer.serialize(TOPIC, Samples.snapshot());
    }
    assertThat(registry.registerCalls()).isEqualTo(1);

    serializer.serialize("other.topic", Samples.snapshot());
    serializer.serialize(TOPIC, Samples.snapshot());
    assertThat(registry.registerCalls()).isEqualTo(2);
  }

  @Test
  void writesDecimalsAtTheSchemaScale() {
    AccountSnapshot snapshot =
        AccountSnapshot.newBuilder(Samples.snapshot())
            .setAccountEquity(d("1.5"))
            .setUniMMR(d("2"))
            .build();

    AccountSnapshot read = roundTrip(snapshot);

    assertThat(read.getAccountEquity()).isEqualTo(d("1.50000000"));
    assertThat(read.getUniMMR()).isEqualTo(d("2.00000000"));
  }

  @Test
  void writesTheLargestAndSmallestDecimalsExactly() {
    BigDecimal largest = d("999999999999999999999999999999.99999999"); // 30 + 8 digits
    BigDecimal smallestNegative = d("-999999999999999999999999999999.99999999");
    BigDecimal tiny = d("-0.00000001");
    AccountSnapshot snapshot =
        AccountSnapshot.newBuilder(Samples.snapshot())
            .setAccountEquity(largest)
            .setActualEquity(smallestNegative)
            .setUniMMR(tiny)
            .build();

    AccountSnapshot read = roundTrip(snapshot);

    assertThat(read.getAccountEquity()).isEqualTo(largest);
    assertThat(read.getActualEquity()).isEqualTo(smallestNegative);
    assertThat(read.getUniMMR()).isEqualTo(tiny);
  }

  @Test
  void refusesToRoundADecimalWithMoreFractionDigitsThanTheScale() {
    AccountSnapshot snapshot =
        AccountSnapshot.newBuilder(Samples.snapshot())
            .setAccountMaintMargin(d("23.724692061"))
            .build();

    assertThatThrownBy(() -> serializer.serialize(TOPIC, snapshot))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("AccountSnapshot.accountMaintMargin = 23.724692061")
        .hasMessageContaining("more than 8 fraction digits")
        .hasMessageContaining("rounded");
  }

  @Test
  void refusesADecimalBeyondThePrecision() {
    AccountSnapshot snapshot =
        AccountSnapshot.newBuilder(Samples.snapshot())
            .setTotalAvailableBalance(d("1000000000000000000000000000000")) // 31 integer digits
            .build();

    assertThatThrownBy(() -> serializer.serialize(TOPIC, snapshot))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(
            "AccountSnapshot.totalAvailableBalance = 1000000000000000000000000000000")
        .hasMessageContaining("precision 38");
  }

  @Test
  void acceptsTrailingZerosBeyondTheScaleBecauseNoDigitIsLost() {
    AccountSnapshot snapshot =
        AccountSnapshot.newBuilder(Samples.snapshot()).setAccountEquity(d("1.5000000000")).build();

    assertThat(roundTrip(snapshot).getAccountEquity()).isEqualTo(d("1.50000000"));
  }

  @Test
  void nullIsATombstone() {
    assertThat(serializer.serialize(TOPIC, null)).isNull();
    assertThat(registry.registerCalls()).isZero();
  }

  @Test
  void namesTheFieldWhenARequiredValueIsMissing() {
    AccountSnapshot snapshot = Samples.snapshot();
    snapshot.setAccountStatusRaw(null);

    assertThatThrownBy(() -> serializer.serialize(TOPIC, snapshot))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("accountStatusRaw");
  }

  @Test
  void unreachableRegistryIsASerializationExceptionWithARetriableCause() {
    registry.setUnreachable(true);

    assertThatThrownBy(() -> serializer.serialize(TOPIC, Samples.snapshot()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("subject pm.account.snapshots-value")
        .hasMessageContaining("unreachable")
        .cause()
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.isRetriable()).isTrue());

    registry.setUnreachable(false);
    assertThat(serializer.serialize(TOPIC, Samples.snapshot())).isNotNull();
  }

  @Test
  void incompatibleSchemaIsRefusedWithTheRegistryReason() {
    String subject = TOPIC + "-value";
    registry.setCompatibility(subject, "BACKWARD_TRANSITIVE");
    Schema old =
        SchemaBuilder.record("AccountSnapshot")
            .namespace("io.pmaccountstream.avro")
            .fields()
            .requiredString("accountId")
            .requiredString("somethingElse")
            .endRecord();
    registry.register(subject, old);

    assertThatThrownBy(() -> serializer.serialize(TOPIC, Samples.snapshot()))
        .isInstanceOf(SerializationException.class)
        .cause()
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.INCOMPATIBLE_SCHEMA);
              assertThat(e.isRetriable()).isFalse();
            });
  }

  @Test
  void withoutAutoRegisterLooksTheSchemaUpAndNeverRegisters() {
    ConfluentAvroSerializer<AccountSnapshot> lookingUp = new ConfluentAvroSerializer<>(registry);
    lookingUp.configure(Map.of(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false"), false);

    assertThatThrownBy(() -> lookingUp.serialize(TOPIC, Samples.snapshot()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("looking up")
        .cause()
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
    int id = registry.register(TOPIC + "-value", AccountSnapshot.getClassSchema());
    int registrations = registry.registerCalls();

    byte[] bytes = lookingUp.serialize(TOPIC, Samples.snapshot());

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
    assertThat(registry.registerCalls()).isEqualTo(registrations);
  }

  @Test
  void differentRecordTypesOnOneSerializerGetTheirOwnIds() {
    ConfluentAvroSerializer<org.apache.avro.specific.SpecificRecord> any =
        new ConfluentAvroSerializer<>(registry);

    byte[] snapshot = any.serialize("t", Samples.snapshot());
    byte[] transition = any.serialize("t2", Samples.transition());

    assertThat(ByteBuffer.wrap(snapshot, 1, 4).getInt())
        .isEqualTo(registry.register("t-value", AccountSnapshot.getClassSchema()));
    assertThat(ByteBuffer.wrap(transition, 1, 4).getInt())
        .isEqualTo(registry.register("t2-value", AccountStatusTransition.getClassSchema()));
  }

  @Test
  void rejectsOtherSubjectNameStrategies() {
    ConfluentAvroSerializer<AccountSnapshot> configured = new ConfluentAvroSerializer<>(registry);

    assertThatThrownBy(
            () ->
                configured.configure(
                    Map.of(
                        AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY,
                        "io.confluent.kafka.serializers.subject.RecordNameStrategy"),
                    false))
        .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining("only TopicNameStrategy");
    configured.configure(
        Map.of(
            AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY,
            "io.confluent.kafka.serializers.subject.TopicNameStrategy"),
        false);
  }

  @Test
  void failsClearlyWhenNeitherClientNorConfigurationWasGiven() {
    ConfluentAvroSerializer<AccountSnapshot> unconfigured = new ConfluentAvroSerializer<>();

    assertThatThrownBy(() -> unconfigured.serialize(TOPIC, Samples.snapshot()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("schema.registry.url");
  }

  @Test
  void configureRequiresTheRegistryUrl() {
    assertThatThrownBy(
            () -> new ConfluentAvroSerializer<AccountSnapshot>().configure(Map.of(), false))
        .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining("schema.registry.url");
  }

  @Test
  void closesOnlyAClientItBuilt() {
    serializer.close();
    assertThat(registry.isClosed()).isFalse();
  }

  private AccountSnapshot roundTrip(AccountSnapshot snapshot) {
    byte[] bytes = serializer.serialize(TOPIC, snapshot);
    return new ConfluentAvroDeserializer<>(registry, AccountSnapshot.class)
        .deserialize(TOPIC, bytes);
  }

  private static byte[] plainAvro(AccountSnapshot snapshot) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(AccountSnapshot.class).write(snapshot, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
