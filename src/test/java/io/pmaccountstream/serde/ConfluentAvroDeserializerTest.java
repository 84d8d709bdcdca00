package io.pmaccountstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.serde.SchemaRegistryException.Reason;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import io.pmaccountstream.testing.Samples;
import io.pmaccountstream.testing.ZeroLengthDecimal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ConfluentAvroDeserializerTest {

  private static final String TOPIC = "pm.account.snapshots";

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final ConfluentAvroSerializer<SpecificRecord> serializer =
      new ConfluentAvroSerializer<>(registry);
  private final ConfluentAvroDeserializer<AccountSnapshot> deserializer =
      new ConfluentAvroDeserializer<>(registry, AccountSnapshot.class);

  @Test
  void roundTripsARecordOfEverySchemaInTheSchemasDirectory() throws IOException {
    Map<String, SpecificRecord> samples = Samples.byFullName();
    List<String> recordSchemas = recordSchemaNamesIn(Path.of("schemas"));
    assertThat(samples.keySet())
        .as("a sample in Samples for every record schema in schemas/")
        .containsExactlyInAnyOrderElementsOf(recordSchemas);

    for (SpecificRecord sample : samples.values()) {
      String topic = "topic." + sample.getSchema().getName();
      byte[] bytes = serializer.serialize(topic, sample);
      SpecificRecord read =
          new ConfluentAvroDeserializer<>(registry, sample.getClass()).deserialize(topic, bytes);
      Samples.assertSameFields(read, sample);
    }
  }

  @Test
  void readsRecordsWrittenWithAnOlderSchemaIntoTheCurrentClass() throws IOException {
    Schema current = AccountSnapshot.getClassSchema();
    Schema older = withoutFields(current, "usedWeight1m", "totalMarginOpenLoss");
    registry.put(11, older);
    AccountSnapshot expected = Samples.snapshot();
    GenericRecord old = copyInto(older, expected);

    AccountSnapshot read = deserializer.deserialize(TOPIC, framed(11, older, old));

    assertThat(read.getUsedWeight1m()).as("absent in the writer: the reader's default").isNull();
    assertThat(read.getTotalMarginOpenLoss()).isNull();
    assertThat(read.getAccountEquity()).isEqualTo(expected.getAccountEquity());
    assertThat(read.getObservedAt()).isEqualTo(expected.getObservedAt());
    assertThat(read.getSequence()).isEqualTo(expected.getSequence());
  }

  @Test
  void readsAStatusSymbolAddedLaterAsUnknownAndKeepsTheRawString() throws IOException {
    Schema newer = withExtraStatusSymbol(AccountSnapshot.getClassSchema(), "PARTIAL_LIQUIDATION");
    registry.put(12, newer);
    GenericRecord record = copyInto(newer, Samples.snapshot());
    Schema statusSchema = newer.getField("accountStatus").schema();
    record.put("accountStatus", new GenericData.EnumSymbol(statusSchema, "PARTIAL_LIQUIDATION"));
    record.put("accountStatusRaw", "PARTIAL_LIQUIDATION");

    AccountSnapshot read = deserializer.deserialize(TOPIC, framed(12, newer, record));

    assertThat(read.getAccountStatus()).isEqualTo(AccountStatus.UNKNOWN);
    assertThat(read.getAccountStatusRaw()).isEqualTo("PARTIAL_LIQUIDATION");
  }

  @Test
  void fetchesEachWriterSchemaOnce() {
    byte[] bytes = serializer.serialize(TOPIC, Samples.snapshot());
    for (int i = 0; i < 1_000; i++) {
      deserializer.deserialize(TOPIC, bytes);
    }
    assertThat(registry.schemaByIdCalls()).isEqualTo(1);
  }

  @Test
  void alternatingSchemaIdsEachReadWithTheirOwnWriterSchema() throws IOException {
    Schema older = withoutFields(AccountSnapshot.getClassSchema(), "usedWeight1m");
    registry.put(200, AccountSnapshot.getClassSchema());
    registry.put(201, older);
    byte[] current =
        framed(
            200,
            AccountSnapshot.getClassSchema(),
            copyInto(AccountSnapshot.getClassSchema(), Samples.snapshot()));
    byte[] old = framed(201, older, copyInto(older, Samples.snapshot()));

    for (int i = 0; i < 3; i++) {
      assertThat(deserializer.deserialize(TOPIC, current).getUsedWeight1m()).isEqualTo(20);
      assertThat(deserializer.deserialize(TOPIC, old).getUsedWeight1m()).isNull();
    }
    assertThat(registry.schemaByIdCalls()).isEqualTo(2);
  }

  @Test
  void nullBytesAreATombstone() {
    assertThat(deserializer.deserialize(TOPIC, (byte[]) null)).isNull();
    assertThat(deserializer.deserialize(TOPIC, null, (ByteBuffer) null)).isNull();
  }

  @Test
  void decodesFromASliceOfALargerBufferWithoutCopying() {
    byte[] bytes = serializer.serialize(TOPIC, Samples.snapshot());
    byte[] larger = new byte[bytes.length + 20];
    System.arraycopy(bytes, 0, larger, 7, bytes.length);
    ByteBuffer slice = ByteBuffer.wrap(larger, 7, bytes.length).slice();

    AccountSnapshot read = deserializer.deserialize(TOPIC, null, slice);

    Samples.assertSameFields(read, Samples.snapshot());
  }

  @Test
  void decodesFromADirectBuffer() {
    byte[] bytes = serializer.serialize(TOPIC, Samples.snapshot());
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();

    Samples.assertSameFields(deserializer.deserialize(TOPIC, null, direct), Samples.snapshot());
  }

  @Test
  void rejectsJsonWithAMessageSayingItIsNotConfluentFramed() {
    byte[] json = "{\"accountId\":\"main\"}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, json))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not in Confluent wire format")
        .hasMessageContaining("0x7b ('{')")
        .hasMessageContaining(TOPIC);
  }

  @Test
  void rejectsBytesShorterThanTheHeader() {
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 1}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("3 byte(s), fewer than the 5-byte header");
  }

  @Test
  void rejectsAnUnknownSchemaIdWithTheRegistryReason() {
    byte[] bytes = serializer.serialize(TOPIC, Samples.snapshot());
    bytes[4] = 99;

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema id 99")
        .cause()
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID));
  }

  @Test
  void rejectsATruncatedPayload() {
    byte[] bytes = serializer.serialize(TOPIC, Samples.snapshot());
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 10);

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Cannot decode record on topic " + TOPIC);
  }

  @Test
  void aZeroLengthDecimalIsAnUndecodableRecordNotAnEscapedNumberFormatException() {
    byte[] bytes = ZeroLengthDecimal.of(v -> serializer.serialize(TOPIC, v), Samples.snapshot());

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Cannot decode record on topic " + TOPIC)
        .hasMessageContaining("NumberFormatException");
  }

  @Test
  void rejectsBytesLeftAfterTheRecord() {
    byte[] bytes = serializer.serialize(TOPIC, Samples.snapshot());
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, longer))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("bytes left");
  }

  @Test
  void configuredByClassNameNeedsTheTypeToReadInto() {
    ConfluentAvroDeserializer<AccountSnapshot> byName = new ConfluentAvroDeserializer<>();

    assertThatThrownBy(
            () -> byName.configure(Map.of("schema.registry.url", "http://127.0.0.1:1"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("specific.avro.value.type")
        .hasMessageContaining("specific.avro.reader=true");
  }

  @Test
  void configuredTypeMustBeAGeneratedRecordClass() {
    assertThatThrownBy(
            () ->
                new ConfluentAvroDeserializer<AccountSnapshot>()
                    .configure(
                        Map.of(
                            "schema.registry.url", "http://127.0.0.1:1",
                            "specific.avro.value.type", "java.lang.String"),
                        false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not an Avro SpecificRecord");
    assertThatThrownBy(
            () ->
                new ConfluentAvroDeserializer<AccountSnapshot>()
                    .configure(
                        Map.of(
                            "schema.registry.url", "http://127.0.0.1:1",
                            "specific.avro.key.type", "com.example.Missing"),
                        true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("specific.avro.key.type")
        .hasMessageContaining("class not found");
  }

  @Test
  void serdeSharesOneClientBetweenItsHalves() {
    ConfluentAvroSerde<AccountSnapshot> serde =
        new ConfluentAvroSerde<>(registry, AccountSnapshot.class);

    byte[] bytes = serde.serializer().serialize(TOPIC, Samples.snapshot());
    AccountSnapshot read = serde.deserializer().deserialize(TOPIC, bytes);
    serde.close();

    Samples.assertSameFields(read, Samples.snapshot());
    assertThat(registry.registerCalls()).isEqualTo(1);
    assertThat(registry.schemaByIdCalls()).isEqualTo(1);
    assertThat(registry.isClosed()).as("the caller owns the client").isFalse();
  }

  /** Full names of the record schemas in {@code dir}; top-level enums are parsed first. */
  static List<String> recordSchemaNamesIn(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> listed = Files.list(dir)) {
      files =
          listed
              .filter(p -> p.toString().endsWith(".avsc"))
              .sorted(Comparator.comparing((Path p) -> !isTopLevelEnum(p)).thenComparing(p -> p))
              .toList();
    }
    List<String> names = new ArrayList<>();
    Schema.Parser parser = new Schema.Parser();
    for (Path file : files) {
      Schema schema = parser.parse(file.toFile());
      if (schema.getType() == Schema.Type.RECORD) {
        names.add(schema.getFullName());
      }
    }
    return names;
  }

  private static boolean isTopLevelEnum(Path file) {
    try {
      return "enum".equals(new ObjectMapper().readTree(file.toFile()).path("type").asText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] framed(int id, Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ConfluentWireFormat.header(id));
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema, genericWithConversions()).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  static GenericData genericWithConversions() {
    GenericData data = new GenericData();
    data.addLogicalTypeConversion(new Conversions.DecimalConversion());
    data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    return data;
  }

  /** A generic record of {@code schema} holding the same-named fields of {@code source}. */
  static GenericRecord copyInto(Schema schema, SpecificRecord source) {
    GenericData.Record record = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      Object value = source.get(source.getSchema().getField(field.name()).pos());
      if (value instanceof Enum<?> symbol) {
        Schema enumSchema =
            field.schema().getType() == Schema.Type.UNION
                ? field.schema().getTypes().get(1)
                : field.schema();
        value = new GenericData.EnumSymbol(enumSchema, symbol.name());
      }
      record.put(field.name(), value);
    }
    return record;
  }

  static Schema withoutFields(Schema schema, String... names) {
    List<String> removed = List.of(names);
    List<Schema.Field> fields =
        schema.getFields().stream()
            .filter(f -> !removed.contains(f.name()))
            .map(f -> new Schema.Field(f, f.schema()))
            .toList();
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  static Schema withExtraStatusSymbol(Schema schema, String symbol) {
    Schema status = schema.getField("accountStatus").schema();
    List<String> symbols = new ArrayList<>(status.getEnumSymbols());
    symbols.add(symbol);
    Schema newerStatus =
        Schema.createEnum(
            status.getName(), status.getDoc(), status.getNamespace(), symbols, "UNKNOWN");
    List<Schema.Field> fields =
        schema.getFields().stream()
            .map(
                f ->
                    new Schema.Field(
                        f, f.name().equals("accountStatus") ? newerStatus : f.schema()))
            .toList();
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }
}
