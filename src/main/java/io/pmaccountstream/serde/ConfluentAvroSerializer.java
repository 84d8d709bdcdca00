package io.pmaccountstream.serde;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro {@link SpecificRecord}s in the Confluent wire format (magic byte {@code 0}, 4-byte
 * big-endian schema id, Avro binary), registering each record's schema under the TopicNameStrategy
 * subject {@code <topic>-value} (or {@code <topic>-key}) of a Confluent-API schema registry.
 *
 * <h2>Two ways to use it</h2>
 *
 * <ul>
 *   <li>In code: {@code new ConfluentAvroSerializer<>(registryClient)}; the caller owns and closes
 *       the client.
 *   <li>By class name, with the same properties as Confluent's {@code KafkaAvroSerializer}:
 *       <pre>
 * value.serializer=io.pmaccountstream.serde.ConfluentAvroSerializer
 * schema.registry.url=https://registry:8081
 * basic.auth.credentials.source=USER_INFO
 * basic.auth.user.info=user:password      # or bearer.auth.token=...
 * auto.register.schemas=true              # default</pre>
 *       Replacing the class name by {@code io.confluent.kafka.serializers.KafkaAvroSerializer}
 *       switches to Confluent's serializer with no other change: both write the same bytes under
 *       the same subjects. See {@link SchemaRegistryClientConfig} and {@link AvroSerdeConfig} for
 *       every key.
 * </ul>
 *
 * <h2>Decimals</h2>
 *
 * A {@code BigDecimal} is written at the scale its schema declares ({@code 1.5} as {@code
 * 1.50000000} for scale 8, so ksqlDB and every reader see one scale). A value that would need
 * rounding (more fraction digits than the scale) or more digits than the precision is refused with
 * a {@link SerializationException} naming the field: the serializer never rounds a balance.
 *
 * <h2>Errors and performance</h2>
 *
 * Registry failures surface as a {@link SerializationException} whose cause is a {@link
 * SchemaRegistryException} ({@code isRetriable()} tells whether trying again later can help). The
 * schema id and {@link DatumWriter} are cached per (topic, schema), so the registry is called once
 * per schema and topic; each thread reuses its encoder and buffer, so a record costs one byte array
 * besides Avro's own work. {@code null} (a tombstone) is written as {@code null}. Thread-safe.
 *
 * @param <T> the generated record class
 */
public class ConfluentAvroSerializer<T extends SpecificRecord> implements Serializer<T> {

  private static final ThreadLocal<Encoding> ENCODING = ThreadLocal.withInitial(Encoding::new);

  private final ConcurrentMap<TopicSchema, Writer> writers = new ConcurrentHashMap<>();
  private volatile Writer last;
  private SchemaRegistryClient client;
  private boolean ownsClient;
  private boolean isKey;
  private boolean autoRegister = true;

  /** Per-thread encoding state: reused output buffer and encoder. */
  private static final class Encoding {
    final ReusableByteOutput out = new ReusableByteOutput();
    BinaryEncoder encoder;
  }

  private record TopicSchema(String topic, Schema schema) {}

  /** Everything needed to write one schema to one topic. */
  private record Writer(
      String topic, Schema schema, byte[] header, DatumWriter<Object> datumWriter) {}

  /** For {@code value.serializer=}: {@link #configure} builds the registry client. */
  public ConfluentAvroSerializer() {}

  /** Values ({@code <topic>-value} subjects) through a client the caller owns and closes. */
  public ConfluentAvroSerializer(SchemaRegistryClient client) {
    this(client, false);
  }

  /** Keys or values through a client the caller owns and closes. */
  public ConfluentAvroSerializer(SchemaRegistryClient client, boolean isKey) {
    this.client = Objects.requireNonNull(client, "client");
    this.isKey = isKey;
  }

  /**
   * Reads {@code auto.register.schemas} and, unless a client was given to the constructor, builds
   * one from {@code schema.registry.url} and the auth keys ({@link
   * SchemaRegistryClientConfig#fromSerdeConfigs}).
   */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig.requireTopicNameStrategy(configs, isKey);
    boolean register = AvroSerdeConfig.autoRegister(configs);
    if (client == null) {
      useClient(
          new HttpSchemaRegistryClient(SchemaRegistryClientConfig.fromSerdeConfigs(configs)), true);
    }
    this.isKey = isKey;
    this.autoRegister = register;
  }

  /** Shares a client with a {@link ConfluentAvroSerde}. */
  void useClient(SchemaRegistryClient client, boolean owns) {
    this.client = client;
    this.ownsClient = owns;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    Writer writer = writerFor(topic, data);
    Encoding encoding = ENCODING.get();
    ReusableByteOutput out = encoding.out;
    out.reset();
    out.write(writer.header(), 0, ConfluentWireFormat.HEADER_SIZE);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, encoding.encoder);
    encoding.encoder = encoder;
    try {
      writer.datumWriter().write(data, encoder);
    } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
      throw writeFailure(topic, data, e);
    }
    return out.toByteArray();
  }

  private Writer writerFor(String topic, T data) {
    Schema schema = data.getSchema();
    Writer cached = last;
    if (cached != null && cached.schema() == schema && cached.topic().equals(topic)) {
      return cached;
    }
    TopicSchema key = new TopicSchema(topic, schema);
    Writer writer = writers.get(key);
    if (writer == null) {
      writer = newWriter(topic, schema, data);
      Writer raced = writers.putIfAbsent(key, writer);
      writer = raced == null ? writer : raced;
    }
    last = writer;
    return writer;
  }

  private Writer newWriter(String topic, Schema schema, T data) {
    if (client == null) {
      throw new IllegalStateException(
          "ConfluentAvroSerializer is not configured: pass a SchemaRegistryClient to the"
              + " constructor or call configure() with schema.registry.url");
    }
    String subject = ConfluentWireFormat.subject(topic, isKey);
    int id;
    try {
      id = autoRegister ? client.register(subject, schema) : client.lookup(subject, schema);
    } catch (SchemaRegistryException e) {
      throw new SerializationException(
          "Cannot serialize "
              + schema.getFullName()
              + " for topic "
              + topic
              + ": "
              + (autoRegister ? "registering" : "looking up")
              + " its schema under subject "
              + subject
              + " failed: "
              + e.getMessage(),
          e);
    }
    @SuppressWarnings("unchecked")
    DatumWriter<Object> datumWriter =
        (DatumWriter<Object>)
            (DatumWriter<?>)
                new SpecificDatumWriter<>(schema, SpecificData.getForClass(data.getClass()));
    return new Writer(topic, schema, ConfluentWireFormat.header(id), datumWriter);
  }

  private SerializationException writeFailure(String topic, T data, Exception e) {
    String detail =
        DecimalFit.firstProblem(data.getSchema(), data)
            .map(problem -> "decimal does not fit its schema: " + problem)
            .orElse(e.getMessage());
    return new SerializationException(
        "Cannot serialize "
            + data.getSchema().getFullName()
            + " for topic "
            + topic
            + ": "
            + detail,
        e);
  }

  /** Closes the registry client if this serializer built it in {@link #configure}. */
  @Override
  public void close() {
    if (ownsClient && client != null) {
      client.close();
    }
  }
}
