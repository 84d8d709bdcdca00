package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class GenericAvroJsonTest {

  @Test
  void rendersEveryTypeAndLogicalTypeReadably() {
    Schema fixedDecimal =
        LogicalTypes.decimal(10, 3).addToSchema(Schema.createFixed("Amount", null, "t", 5));
    Schema schema =
        SchemaBuilder.record("Everything")
            .namespace("t")
            .fields()
            .name("date")
            .type(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT)))
            .noDefault()
            .name("timeMillis")
            .type(LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT)))
            .noDefault()
            .name("tsMicros")
            .type(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG)))
            .noDefault()
            .name("localTsMillis")
            .type(LogicalTypes.localTimestampMillis().addToSchema(Schema.create(Schema.Type.LONG)))
            .noDefault()
            .name("fixedDecimal")
            .type(fixedDecimal)
            .noDefault()
            .name("raw")
            .type()
            .bytesType()
            .noDefault()
            .name("nan")
            .type()
            .doubleType()
            .noDefault()
            .name("ratio")
            .type()
            .floatType()
            .noDefault()
            .name("flag")
            .type()
            .booleanType()
            .noDefault()
            .name("tags")
            .type()
            .array()
            .items()
            .stringType()
            .noDefault()
            .name("limits")
            .type()
            .map()
            .values()
            .longType()
            .noDefault()
            .name("maybe")
            .type()
            .unionOf()
            .nullType()
            .and()
            .intType()
            .endUnion()
            .noDefault()
            .endRecord();
    GenericRecord record = new GenericData.Record(schema);
    record.put("date", 20_000); // 2024-10-04
    record.put("timeMillis", 3_723_004); // 01:02:03.004
    record.put("tsMicros", 1_700_000_000_123_456L);
    record.put("localTsMillis", 0L);
    record.put(
        "fixedDecimal", new GenericData.Fixed(fixedDecimal, new byte[] {0, 0, 0, 4, (byte) 0xd2}));
    record.put("raw", ByteBuffer.wrap(new byte[] {1, 2, 3}));
    record.put("nan", Double.NaN);
    record.put("ratio", 0.5f);
    record.put("flag", true);
    record.put("tags", List.of(new Utf8("a"), new Utf8("b")));
    record.put("limits", Map.of(new Utf8("x"), 5L));
    record.put("maybe", 3);

    String json = GenericAvroJson.toJson(schema, record).toString();

    assertThat(json)
        .isEqualTo(
            "{\"date\":\"2024-10-04\",\"timeMillis\":\"01:02:03.004\","
                + "\"tsMicros\":\"2023-11-14T22:13:20.123456Z\","
                + "\"localTsMillis\":\"1970-01-01T00:00\","
                + "\"fixedDecimal\":\"1.234\",\"raw\":\"AQID\",\"nan\":\"NaN\",\"ratio\":0.5,"
                + "\"flag\":true,\"tags\":[\"a\",\"b\"],\"limits\":{\"x\":5},\"maybe\":3}");
  }
}
