package io.pmaccountstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pmaccountstream.serde.ConfluentWireFormat;
import io.pmaccountstream.serde.SchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One JSON line per consumed record, decoded generically by its writer schema so that any
 * Confluent-framed Avro topic prints, whatever classes this build has:
 *
 * <pre>
 * {"partition":0,"offset":12,"timestamp":"2026-11-23T10:15:30.123Z","key":"main",
 *  "valueSchemaId":1,"value":{"accountId":"main","uniMMR":"5167.92171923",...}}</pre>
 *
 * Values (and keys) not in Confluent framing, such as the JSON dead-letter topic or string keys,
 * print as their JSON or UTF-8 text. A record that cannot be decoded prints with an {@code "error"}
 * and the raw bytes in base64, instead of stopping the stream. Writer schemas are fetched once per
 * id. Not thread-safe: one formatter per consuming thread.
 */
public final class RecordJsonFormatter {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SchemaRegistryClient registry;
  private final ConcurrentMap<Integer, GenericDatumReader<Object>> readers =
      new ConcurrentHashMap<>();
  private BinaryDecoder decoder;

  /** What one key or value decoded to. */
  private record Decoded(JsonNode json, int schemaId, String error) {
    static Decoded error(String message) {
      return new Decoded(null, -1, message);
    }
  }

  public RecordJsonFormatter(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  /** The record as one line of JSON (no line break). */
  public String format(ConsumerRecord<byte[], byte[]> record) {
    try {
      return JSON.writeValueAsString(toJson(record));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  ObjectNode toJson(ConsumerRecord<byte[], byte[]> record) {
    ObjectNode line = JSON.createObjectNode();
    line.put("partition", record.partition());
    line.put("offset", record.offset());
    if (record.timestamp() < 0) {
      line.putNull("timestamp");
    } else {
      line.put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString());
    }
    Decoded key = decode(record.topic(), record.key());
    Decoded value = decode(record.topic(), record.value());
    put(line, "key", key);
    put(line, "value", value);
    String error =
        value.error() != null
            ? "value: " + value.error()
            : key.error() != null ? "key: " + key.error() : null;
    if (error != null) {
      line.put("error", error);
      if (key.error() != null) {
        line.put("keyBase64", Base64.getEncoder().encodeToString(record.key()));
      }
      if (value.error() != null) {
        line.put("valueBase64", Base64.getEncoder().encodeToString(record.value()));
      }
    }
    return line;
  }

  private static void put(ObjectNode line, String name, Decoded decoded) {
    if (decoded.schemaId() >= 0) {
      line.put(name + "SchemaId", decoded.schemaId());
    }
    if (decoded.error() == null) {
      line.set(name, decoded.json());
    }
  }

  private Decoded decode(String topic, byte[] bytes) {
    if (bytes == null) {
      return new Decoded(JSON.nullNode(), -1, null);
    }
    if (ConfluentWireFormat.isFramed(bytes, 0, bytes.length)) {
      return decodeAvro(topic, bytes);
    }
    return decodeText(bytes);
  }

  private Decoded decodeAvro(String topic, byte[] bytes) {
    int id = ConfluentWireFormat.schemaId(topic, bytes, 0, bytes.length);
    GenericDatumReader<Object> reader;
    try {
      reader = readers.get(id);
      if (reader == null) {
        Schema writer = registry.schemaById(id);
        reader = new GenericDatumReader<>(writer, writer, GenericData.get());
        readers.putIfAbsent(id, reader);
      }
    } catch (SchemaRegistryException e) {
      return new Decoded(null, id, e.getMessage());
    }
    try {
      decoder =
          DecoderFactory.get()
              .binaryDecoder(
                  bytes,
                  ConfluentWireFormat.HEADER_SIZE,
                  bytes.length - ConfluentWireFormat.HEADER_SIZE,
                  decoder);
      Object datum = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        return new Decoded(
            null, id, "bytes left after decoding with schema id " + id + " (not that schema?)");
      }
      return new Decoded(GenericAvroJson.toJson(reader.getSchema(), datum), id, null);
    } catch (IOException
        | AvroRuntimeException
        | IndexOutOfBoundsException
        | ClassCastException e) {
      return new Decoded(
          null, id, "cannot decode Avro with schema id " + id + ": " + e.getMessage());
    }
  }

  private static Decoded decodeText(byte[] bytes) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return Decoded.error("neither Confluent-framed Avro (magic byte 0) nor UTF-8 text");
    }
    String trimmed = text.strip();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try {
        return new Decoded(JSON.readTree(trimmed), -1, null);
      } catch (IOException e) {
        // not JSON after all: print it as text
      }
    }
    return new Decoded(JSON.getNodeFactory().textNode(text), -1, null);
  }
}
