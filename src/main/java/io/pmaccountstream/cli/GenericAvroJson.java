package io.pmaccountstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Renders a datum read with a {@link org.apache.avro.generic.GenericDatumReader} (no conversions)
 * as plain JSON for people and {@code jq}: decimals as strings at their schema's scale ({@code
 * "1.50000000"}, exact, never a float), timestamps and dates as ISO-8601, enums as their symbol,
 * unions as the value of their branch (not Avro's {@code {"type": value}} wrapping), other bytes as
 * base64.
 */
final class GenericAvroJson {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private GenericAvroJson() {}

  static JsonNode toJson(Schema schema, Object datum) {
    if (datum == null) {
      return NODES.nullNode();
    }
    LogicalType logical = schema.getLogicalType();
    return switch (schema.getType()) {
      case UNION ->
          toJson(schema.getTypes().get(GenericData.get().resolveUnion(schema, datum)), datum);
      case RECORD -> record(schema, (IndexedRecord) datum);
      case ENUM, STRING -> NODES.textNode(datum.toString());
      case ARRAY -> array(schema, (Collection<?>) datum);
      case MAP -> map(schema, (Map<?, ?>) datum);
      case BYTES -> bytes(logical, bytesOf((ByteBuffer) datum));
      case FIXED -> bytes(logical, ((GenericFixed) datum).bytes());
      case INT -> intValue(logical, (Integer) datum);
      case LONG -> longValue(logical, (Long) datum);
      case FLOAT -> floating(((Float) datum).doubleValue());
      case DOUBLE -> floating((Double) datum);
      case BOOLEAN -> NODES.booleanNode((Boolean) datum);
      case NULL -> NODES.nullNode();
    };
  }

  private static ObjectNode record(Schema schema, IndexedRecord record) {
    ObjectNode node = NODES.objectNode();
    for (Schema.Field field : schema.getFields()) {
      node.set(field.name(), toJson(field.schema(), record.get(field.pos())));
    }
    return node;
  }

  private static ArrayNode array(Schema schema, Collection<?> items) {
    ArrayNode node = NODES.arrayNode(items.size());
    for (Object item : items) {
      node.add(toJson(schema.getElementType(), item));
    }
    return node;
  }

  private static ObjectNode map(Schema schema, Map<?, ?> entries) {
    ObjectNode node = NODES.objectNode();
    entries.forEach((k, v) -> node.set(k.toString(), toJson(schema.getValueType(), v)));
    return node;
  }

  private static JsonNode bytes(LogicalType logical, byte[] bytes) {
    if (logical instanceof LogicalTypes.Decimal decimal) {
      return NODES.textNode(
          new BigDecimal(new BigInteger(bytes), decimal.getScale()).toPlainString());
    }
    return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
  }

  private static JsonNode intValue(LogicalType logical, int value) {
    if (logical instanceof LogicalTypes.Date) {
      return NODES.textNode(LocalDate.ofEpochDay(value).toString());
    }
    if (logical instanceof LogicalTypes.TimeMillis) {
      return NODES.textNode(LocalTime.ofNanoOfDay(value * 1_000_000L).toString());
    }
    return NODES.numberNode(value);
  }

  private static JsonNode longValue(LogicalType logical, long value) {
    if (logical instanceof LogicalTypes.TimestampMillis) {
      return NODES.textNode(Instant.ofEpochMilli(value).toString());
    }
    if (logical instanceof LogicalTypes.TimestampMicros) {
      return NODES.textNode(micros(value).toString());
    }
    if (logical instanceof LogicalTypes.TimestampNanos) {
      return NODES.textNode(nanos(value).toString());
    }
    if (logical instanceof LogicalTypes.LocalTimestampMillis) {
      return NODES.textNode(
          LocalDateTime.ofInstant(Instant.ofEpochMilli(value), ZoneOffset.UTC).toString());
    }
    if (logical instanceof LogicalTypes.LocalTimestampMicros) {
      return NODES.textNode(LocalDateTime.ofInstant(micros(value), ZoneOffset.UTC).toString());
    }
    if (logical instanceof LogicalTypes.TimeMicros) {
      return NODES.textNode(LocalTime.ofNanoOfDay(value * 1_000L).toString());
    }
    return NODES.numberNode(value);
  }

  private static Instant micros(long value) {
    return Instant.ofEpochSecond(
        Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
  }

  private static Instant nanos(long value) {
    return Instant.ofEpochSecond(
        Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
  }

  private static JsonNode floating(double value) {
    return Double.isFinite(value)
        ? NODES.numberNode(value)
        : NODES.textNode(Double.toString(value));
  }

  private static byte[] bytesOf(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
