package io.pmaccountstream.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The cheaper decimal read gives exactly what Avro's own conversion gives, for any bytes. */
class CompactDecimalConversionProperties {

  private final Schema schema =
      LogicalTypes.decimal(38, 8).addToSchema(Schema.create(Schema.Type.BYTES));

  @Property(tries = 2000)
  void readsWhatAvroReads(
      @ForAll @Size(min = 1, max = 17) byte[] unscaled, @ForAll @IntRange(max = 3) int offset) {
    ByteBuffer buffer = ByteBuffer.allocate(offset + unscaled.length + 2);
    buffer.position(offset);
    buffer.put(unscaled);
    buffer.flip().position(offset);

    BigDecimal ours =
        new CompactDecimalConversion()
            .fromBytes(buffer.duplicate(), schema, schema.getLogicalType());
    BigDecimal avros =
        new Conversions.DecimalConversion()
            .fromBytes(buffer.duplicate(), schema, schema.getLogicalType());

    assertThat(ours).isEqualTo(avros);
    assertThat(ours.scale()).isEqualTo(8);
  }

  @Test
  void replacesOnlyTheDecimalConversionOfTheGeneratedModel() {
    assertThat(CompactDecimalConversion.modelFor(AccountSnapshot.class).getConversions())
        .hasSameSizeAs(
            org.apache.avro.specific.SpecificData.getForClass(AccountSnapshot.class)
                .getConversions())
        .anyMatch(c -> c instanceof CompactDecimalConversion)
        .noneMatch(
            c ->
                c instanceof Conversions.DecimalConversion
                    && !(c instanceof CompactDecimalConversion));
  }
}
