package io.pmaccountstream.serde;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro's decimal conversion, with a cheaper read of the common case: an unscaled value of at most 8
 * bytes (up to 18 digits, every balance below 10 billion at scale 8) becomes a {@code BigDecimal}
 * straight from a {@code long}, without the byte copy and {@code BigInteger} Avro's own conversion
 * allocates for every decimal. The value is the same ({@code equals}: same unscaled value and
 * scale); longer values take Avro's path. Writing is Avro's.
 */
final class CompactDecimalConversion extends Conversions.DecimalConversion {

  private static final ConcurrentMap<Class<?>, SpecificData> MODELS = new ConcurrentHashMap<>();

  @Override
  public BigDecimal fromBytes(ByteBuffer value, Schema schema, LogicalType type) {
    int length = value.remaining();
    if (length == 0 || length > Long.BYTES) {
      return super.fromBytes(value, schema, type);
    }
    int position = value.position();
    long unscaled = value.get(position); // sign-extends the first byte: two's complement
    for (int i = 1; i < length; i++) {
      unscaled = (unscaled << 8) | (value.get(position + i) & 0xFF);
    }
    return BigDecimal.valueOf(unscaled, ((LogicalTypes.Decimal) type).getScale());
  }

  /**
   * The data model of a generated class ({@code SpecificData.getForClass}) with this conversion in
   * place of Avro's decimal conversion; one per class.
   */
  static SpecificData modelFor(Class<? extends SpecificRecord> type) {
    return MODELS.computeIfAbsent(
        type,
        t -> {
          SpecificData generated = SpecificData.getForClass(t);
          SpecificData model = new SpecificData(t.getClassLoader());
          for (Conversion<?> conversion : generated.getConversions()) {
            model.addLogicalTypeConversion(
                conversion instanceof Conversions.DecimalConversion
                    ? new CompactDecimalConversion()
                    : conversion);
          }
          return model;
        });
  }
}
