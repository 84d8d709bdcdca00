package io.pmaccountstream.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * What {@code tools/interop/confluent_read.py} must report for records we wrote: the same rendering
 * (decimals as plain strings, datetimes as UTC millis with a Z) and the same type tags ({@code
 * Decimal(scale=8)}, {@code datetime(UTC)}, {@code str}, {@code int}, {@code null}) that the script
 * derives from the Python objects Confluent's client and Apache Avro hand it.
 */
final class PythonView {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "<key>";

  private static final DateTimeFormatter UTC_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private PythonView() {}

  /** The field values of a record as the script renders them, in schema order. */
  static Map<String, Object> rendered(SpecificRecord record) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (Schema.Field field : record.getSchema().getFields()) {
      fields.put(field.name(), render(record.get(field.pos())));
    }
    return fields;
  }

  private static Object render(Object value) {
    if (value == null || value instanceof Integer || value instanceof Long) {
      return value;
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof Instant t) {
      return UTC_MILLIS.format(t);
    }
    return value.toString();
  }

  /** Epoch millis as the script renders a datetime. */
  static String utc(long millis) {
    return UTC_MILLIS.format(Instant.ofEpochMilli(millis));
  }

  /** The type tags per field (and {@value #KEY} when keyed) the script must see. */
  static Map<String, List<String>> types(List<? extends SpecificRecord> records, boolean keyed) {
    Map<String, TreeSet<String>> tags = new TreeMap<>();
    for (SpecificRecord record : records) {
      if (keyed) {
        tags.computeIfAbsent(KEY, k -> new TreeSet<>()).add("str");
      }
      for (Schema.Field field : record.getSchema().getFields()) {
        tags.computeIfAbsent(field.name(), k -> new TreeSet<>()).add(tag(record.get(field.pos())));
      }
    }
    Map<String, List<String>> result = new TreeMap<>();
    tags.forEach((name, set) -> result.put(name, new ArrayList<>(set)));
    return result;
  }

  private static String tag(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof BigDecimal d) {
      return "Decimal(scale=" + d.scale() + ")";
    }
    if (value instanceof Instant) {
      return "datetime(UTC)";
    }
    if (value instanceof Integer || value instanceof Long) {
      return "int";
    }
    if (value instanceof CharSequence || value instanceof Enum<?>) {
      return "str";
    }
    throw new IllegalArgumentException("no Python tag for " + value.getClass());
  }

  /** Rendered records grouped by account id, in order: what one partition per key preserves. */
  static JsonNode byAccount(List<? extends SpecificRecord> records) {
    Map<String, List<Map<String, Object>>> grouped = new TreeMap<>();
    for (SpecificRecord record : records) {
      String account = String.valueOf(record.get(record.getSchema().getField("accountId").pos()));
      grouped.computeIfAbsent(account, a -> new ArrayList<>()).add(rendered(record));
    }
    return tree(grouped);
  }

  /** The script's rows (each {@code {"value": {...}}} or the fields themselves) by account id. */
  static JsonNode byAccount(JsonNode rows, boolean wrapped) {
    Map<String, List<JsonNode>> grouped = new TreeMap<>();
    for (JsonNode row : rows) {
      JsonNode fields = wrapped ? row.get("value") : row;
      grouped.computeIfAbsent(fields.get("accountId").asText(), a -> new ArrayList<>()).add(fields);
    }
    return tree(grouped);
  }

  /** Through JSON text, so numbers have the node types a parsed document has. */
  static JsonNode tree(Object value) {
    try {
      return JSON.readTree(JSON.writeValueAsString(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
