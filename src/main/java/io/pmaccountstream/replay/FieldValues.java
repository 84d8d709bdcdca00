package io.pmaccountstream.replay;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * How the fields of our Avro records are written as text, the same in JSON lines and CSV: decimals
 * as plain strings at scale 8 ({@code "1.05000000"}, never {@code 1.05E+0}, never a binary
 * floating-point number), timestamps as ISO-8601 UTC instants ({@code 2026-11-24T10:00:00.123Z}),
 * enums by symbol, null as JSON null or an empty CSV cell.
 */
final class FieldValues {

  /** Decimals of every decimal field, as in the Avro schemas. */
  static final int SCALE = 8;

  private FieldValues() {}

  /** A decimal as written: plain, at scale 8. */
  static String decimal(BigDecimal value) {
    return value.setScale(SCALE, RoundingMode.UNNECESSARY).toPlainString();
  }

  /** The text of a field value; null stays null. */
  static String text(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof BigDecimal d) {
      return decimal(d);
    }
    if (value instanceof List<?> list) {
      StringBuilder joined = new StringBuilder();
      for (Object item : list) {
        if (!joined.isEmpty()) {
          joined.append(' ');
        }
        joined.append(text(item));
      }
      return joined.toString();
    }
    return value.toString();
  }

  /** Writes every field of {@code record} into the current JSON object, in schema order. */
  static void writeFields(JsonGenerator json, SpecificRecord record) throws IOException {
    List<org.apache.avro.Schema.Field> fields = record.getSchema().getFields();
    for (int i = 0, n = fields.size(); i < n; i++) {
      json.writeFieldName(fields.get(i).name());
      writeValue(json, record.get(i));
    }
  }

  private static void writeValue(JsonGenerator json, Object value) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof BigDecimal d) {
      json.writeString(decimal(d));
    } else if (value instanceof Instant || value instanceof CharSequence || value instanceof Enum) {
      json.writeString(value.toString());
    } else if (value instanceof Integer i) {
      json.writeNumber(i);
    } else if (value instanceof Long l) {
      json.writeNumber(l);
    } else if (value instanceof Boolean b) {
      json.writeBoolean(b);
    } else if (value instanceof List<?> list) {
      json.writeStartArray();
      for (Object item : list) {
        writeValue(json, item);
      }
      json.writeEndArray();
    } else {
      json.writeString(value.toString());
    }
  }
}
