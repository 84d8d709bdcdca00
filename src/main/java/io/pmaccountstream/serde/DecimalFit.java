package io.pmaccountstream.serde;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Whether decimals fit their Avro {@code decimal(precision, scale)}. Avro writes a {@link
 * BigDecimal} at the schema's scale when that is exact ({@code 1.5} is written as {@code
 * 1.50000000}) and refuses when it would have to round; this class names the offending field for
 * the error message, walking the record only after a write has failed.
 */
final class DecimalFit {

  private DecimalFit() {}

  /**
   * Why {@code value} cannot be written as {@code decimal(precision, scale)}, or empty if it can:
   * it has more fraction digits than the scale (the serializer does not round), or more digits than
   * the precision once at that scale.
   */
  static Optional<String> problem(BigDecimal value, int precision, int scale) {
    BigDecimal scaled;
    try {
      scaled = value.setScale(scale, RoundingMode.UNNECESSARY);
    } catch (ArithmeticException e) {
      return Optional.of(
          value.toPlainString()
              + " has more than "
              + scale
              + " fraction digits; it would have to be rounded, which the serializer refuses to do"
              + " (round it explicitly before publishing)");
    }
    if (scaled.precision() > precision) {
      return Optional.of(
          value.toPlainString()
              + " needs "
              + scaled.precision()
              + " digits at scale "
              + scale
              + ", more than the precision "
              + precision
              + " (at most "
              + (precision - scale)
              + " integer digits)");
    }
    return Optional.empty();
  }

  /** The first decimal in {@code datum} that does not fit, as {@code field.path: reason}. */
  static Optional<String> firstProblem(Schema schema, Object datum) {
    return walk(schema, datum, schema.getName());
  }

  private static Optional<String> walk(Schema schema, Object datum, String path) {
    if (datum == null) {
      return Optional.empty();
    }
    LogicalType logical = schema.getLogicalType();
    if (logical instanceof LogicalTypes.Decimal decimal && datum instanceof BigDecimal value) {
      return problem(value, decimal.getPrecision(), decimal.getScale())
          .map(reason -> path + " = " + reason);
    }
    switch (schema.getType()) {
      case RECORD -> {
        if (datum instanceof IndexedRecord record) {
          for (Schema.Field field : schema.getFields()) {
            Optional<String> found =
                walk(field.schema(), record.get(field.pos()), path + "." + field.name());
            if (found.isPresent()) {
              return found;
            }
          }
        }
      }
      case UNION -> {
        for (Schema branch : schema.getTypes()) {
          Optional<String> found = walk(branch, datum, path);
          if (found.isPresent()) {
            return found;
          }
        }
      }
      case ARRAY -> {
        if (datum instanceof Collection<?> items) {
          int i = 0;
          for (Object item : items) {
            Optional<String> found = walk(schema.getElementType(), item, path + "[" + i++ + "]");
            if (found.isPresent()) {
              return found;
            }
          }
        }
      }
      case MAP -> {
        if (datum instanceof Map<?, ?> entries) {
          for (Map.Entry<?, ?> entry : entries.entrySet()) {
            Optional<String> found =
                walk(schema.getValueType(), entry.getValue(), path + "[" + entry.getKey() + "]");
            if (found.isPresent()) {
              return found;
            }
          }
        }
      }
      default -> {
        // other types hold no decimals
      }
    }
    return Optional.empty();
  }
}
