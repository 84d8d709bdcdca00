package io.pmaccountstream.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-framed Avro (magic byte {@code 0}, 4-byte big-endian schema id, Avro binary) into
 * a generated {@link SpecificRecord} class. The bytes are decoded with the writer schema fetched
 * from the registry by id and resolved to the reader schema of the class, so records written with
 * an older schema are read by newer classes (fields added with defaults get their default; an enum
 * symbol the class does not know becomes the enum's default).
 *
 * <h2>Two ways to use it</h2>
 *
 * <ul>
 *   <li>In code: {@code new ConfluentAvroDeserializer<>(registryClient, AccountSnapshot.class)};
 *       the caller owns and closes the client.
 *   <li>By class name, with Confluent's property names:
 *       <pre>
 * value.deserializer=io.pmaccountstream.serde.ConfluentAvroDeserializer
 * schema.registry.url=https://registry:8081
 * specific.avro.value.type=io.pmaccountstream.avro.AccountSnapshot
 *   # or specific.avro.reader=true: the class named by the writer schema</pre>
 *       These are the properties Confluent's {@code KafkaAvroDeserializer} reads, so switching
 *       between the two is a change of class name.
 * </ul>
 *
 * Readers are cached per schema id (one registry call per id), each thread reuses its decoder;
 * {@code null} bytes (a tombstone) give {@code null}. Bytes not in Confluent framing, unknown ids
 * and undecodable payloads are {@link SerializationException}s naming the topic. Thread-safe.
 *
 * @param <T> the generated record class
 */
public class ConfluentAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

  private static final ThreadLocal<BinaryDecoder[]> DECODER =
      ThreadLocal.withInitial(() -> new BinaryDecoder[1]);

  private final ConcurrentMap<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
  private volatile IdReader<T> last;
  private SchemaRegistryClient client;
  private boolean ownsClient;
  private Class<? extends SpecificRecord> type;
  private boolean specificByWriterName;

  /**
   * The reader of the id seen last: a topic has one schema id at a time, and no boxing per record.
   */
  private record IdReader<T>(int id, DatumReader<T> reader) {}

  /** For {@code value.deserializer=}: {@link #configure} builds the client and reads the type. */
  public ConfluentAvroDeserializer() {}

  /** Reads into {@code type} through a client the caller owns and closes. */
  public ConfluentAvroDeserializer(SchemaRegistryClient client, Class<T> type) {
    this.client = Objects.requireNonNull(client, "client");
    this.type = Objects.requireNonNull(type, "type");
  }

  /**
   * Unless given to the constructor: the type from {@code specific.avro.value.type} ({@code
   * specific.avro.key.type} for keys) or, with {@code specific.avro.reader=true}, from the writer
   * schema's name; the client from {@code schema.registry.url} and the auth keys.
   */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (type == null) {
      type = AvroSerdeConfig.specificType(configs, isKey).orElse(null);
      specificByWriterName = type == null && AvroSerdeConfig.specificReader(configs);
      if (type == null && !specificByWriterName) {
        String key =
            isKey
                ? AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE
                : AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE;
        throw new ConfigException(
            "ConfluentAvroDeserializer needs the class to read into: set "
                + key
                + " to a generated SpecificRecord class, or "
                + AvroSerdeConfig.SPECIFIC_AVRO_READER
                + "=true to use the class named by each record's writer schema");
      }
    }
    if (client == null) {
      useClient(
          new HttpSchemaRegistryClient(SchemaRegistryClientConfig.fromSerdeConfigs(configs)), true);
    }
  }

  /** Shares a client with a {@link ConfluentAvroSerde}. */
  void useClient(SchemaRegistryClient client, boolean owns) {
    this.client = client;
    this.ownsClient = owns;
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    return data == null ? null : decode(topic, data, 0, data.length);
  }

  @Override
  public T deserialize(String topic, Headers headers, byte[] data) {
    return deserialize(topic, data);
  }

  /** Decodes straight from the consumer's buffer when it has an array: no copy. */
  @Override
  public T deserialize(String topic, Headers headers, ByteBuffer data) {
    if (data == null) {
      return null;
    }
    if (data.hasArray()) {
      return decode(topic, data.array(), data.arrayOffset() + data.position(), data.remaining());
    }
    byte[] copy = new byte[data.remaining()];
    data.duplicate().get(copy);
    return decode(topic, copy, 0, copy.length);
  }

  private T decode(String topic, byte[] bytes, int offset, int length) {
    int id = ConfluentWireFormat.schemaId(topic, bytes, offset, length);
    DatumReader<T> reader = readerFor(topic, id);
    BinaryDecoder[] slot = DECODER.get();
    BinaryDecoder decoder =
        DecoderFactory.get()
            .binaryDecoder(
                bytes,
                offset + ConfluentWireFormat.HEADER_SIZE,
                length - ConfluentWireFormat.HEADER_SIZE,
                slot[0]);
    slot[0] = decoder;
    T value;
    boolean bytesLeft;
    try {
      value = reader.read(null, decoder);
      bytesLeft = !decoder.isEnd();
    } catch (IOException | RuntimeException e) {
      // Whatever hostile bytes make Avro or a logical-type conversion throw (a zero-length decimal
      // is a NumberFormatException) is a record that cannot be decoded, never an escaped exception.
      throw new SerializationException(
          "Cannot decode record on topic "
              + topic
              + " with writer schema id "
              + id
              + ": "
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
    if (bytesLeft) {
      throw new SerializationException(
          "Record on topic "
              + topic
              + " has bytes left after decoding it with schema id "
              + id
              + ": the payload does not match its writer schema");
    }
    return value;
  }

  private DatumReader<T> readerFor(String topic, int id) {
    IdReader<T> cached = last;
    if (cached != null && cached.id() == id) {
      return cached.reader();
    }
    DatumReader<T> reader = readers.get(id);
    if (reader == null) {
      reader = newReader(topic, id);
      DatumReader<T> raced = readers.putIfAbsent(id, reader);
      reader = raced == null ? reader : raced;
    }
    last = new IdReader<>(id, reader);
    return reader;
  }

  private DatumReader<T> newReader(String topic, int id) {
    if (client == null) {
      throw new IllegalStateException(
          "ConfluentAvroDeserializer is not configured: pass a SchemaRegistryClient and a type"
              + " to the constructor or call configure()");
    }
    Schema writer;
    try {
      writer = client.schemaById(id);
    } catch (SchemaRegistryException e) {
      throw new SerializationException(
          "Cannot deserialize record on topic "
              + topic
              + ": fetching writer schema id "
              + id
              + " failed: "
              + e.getMessage(),
          e);
    }
    Class<? extends SpecificRecord> target = type != null ? type : classNamed(topic, id, writer);
    SpecificData data = CompactDecimalConversion.modelFor(target);
    Schema readerSchema = SpecificData.getForClass(target).getSchema(target);
    return new SpecificDatumReader<>(writer, readerSchema, data);
  }

  private static Class<? extends SpecificRecord> classNamed(String topic, int id, Schema writer) {
    Class<?> found = SpecificData.get().getClass(writer);
    if (found == null || !SpecificRecord.class.isAssignableFrom(found)) {
      throw new SerializationException(
          "Cannot deserialize record on topic "
              + topic
              + ": no generated class "
              + writer.getFullName()
              + " on the classpath for writer schema id "
              + id
              + " (set "
              + AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE
              + ")");
    }
    return found.asSubclass(SpecificRecord.class);
  }

  /** Closes the registry client if this deserializer built it in {@link #configure}. */
  @Override
  public void close() {
    if (ownsClient && client != null) {
      client.close();
    }
  }
}
