package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.serde.ConfluentAvroSerializer;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import io.pmaccountstream.testing.Samples;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class RecordJsonFormatterTest {

  private static final String TOPIC = "pm.account.snapshots";
  private static final long TIMESTAMP = Samples.OBSERVED_AT.toEpochMilli();

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final ConfluentAvroSerializer<AccountSnapshot> serializer =
      new ConfluentAvroSerializer<>(registry);
  private final RecordJsonFormatter formatter = new RecordJsonFormatter(registry);

  @Test
  void printsAnAvroSnapshotWithExactDecimalsIsoTimestampsAndEnumSymbols() {
    byte[] value = serializer.serialize(TOPIC, Samples.snapshot());

    String line = formatter.format(record(key("main"), value));

    assertThat(line)
        .isEqualTo(
            "{\"partition\":0,\"offset\":12,\"timestamp\":\"2026-11-23T10:15:30.123Z\","
                + "\"key\":\"main\",\"valueSchemaId\":1,\"value\":{"
                + "\"accountId\":\"main\","
                + "\"uniMMR\":\"5167.92171923\","
                + "\"accountEquity\":\"122607.35137903\","
                + "\"actualEquity\":\"73.47428058\","
                + "\"accountInitialMargin\":\"23.72469206\","
                + "\"accountMaintMargin\":\"23.72469206\","
                + "\"accountStatus\":\"NORMAL\","
                + "\"accountStatusRaw\":\"NORMAL\","
                + "\"virtualMaxWithdrawAmount\":\"1627523.32459208\","
                + "\"totalAvailableBalance\":null,"
                + "\"totalMarginOpenLoss\":null,"
                + "\"updateTime\":\"2022-07-13T10:13:32.154Z\","
                + "\"observedAt\":\"2026-11-23T10:15:30.123Z\","
                + "\"requestLatencyMs\":42,"
                + "\"usedWeight1m\":20,"
                + "\"pollerInstanceId\":\"poller-1\","
                + "\"sequence\":7}}");
  }

  @Test
  void printsDecimalsAtTheirSchemaScale() throws Exception {
    AccountSnapshot snapshot =
        AccountSnapshot.newBuilder(Samples.snapshot())
            .setAccountEquity(Samples.d("1.5"))
            .setActualEquity(Samples.d("-0.00000001"))
            .build();

    JsonNode value =
        json(formatter.format(record(key("main"), serializer.serialize(TOPIC, snapshot))))
            .get("value");

    assertThat(value.get("accountEquity").textValue()).isEqualTo("1.50000000");
    assertThat(value.get("actualEquity").textValue()).isEqualTo("-0.00000001");
  }

  @Test
  void printsAJsonValueAsJson() throws Exception {
    byte[] dlq =
        "{\"accountId\":\"main\",\"errorKind\":\"BAD_PAYLOAD\",\"httpStatus\":200}"
            .getBytes(StandardCharsets.UTF_8);

    JsonNode line = json(formatter.format(record(key("main"), dlq)));

    assertThat(line.get("value").get("errorKind").textValue()).isEqualTo("BAD_PAYLOAD");
    assertThat(line.get("value").get("httpStatus").intValue()).isEqualTo(200);
    assertThat(line.has("valueSchemaId")).isFalse();
    assertThat(line.has("error")).isFalse();
  }

  @Test
  void printsOtherTextAsAString() throws Exception {
    JsonNode line =
        json(formatter.format(record(null, "{not json".getBytes(StandardCharsets.UTF_8))));

    assertThat(line.get("value").textValue()).isEqualTo("{not json");
    assertThat(line.get("key").isNull()).isTrue();
  }

  @Test
  void printsATombstoneAsNull() throws Exception {
    JsonNode line = json(formatter.format(record(key("main"), null)));

    assertThat(line.get("value").isNull()).isTrue();
    assertThat(line.has("error")).isFalse();
  }

  @Test
  void printsAnErrorObjectForAnUnknownSchemaId() throws Exception {
    byte[] value = serializer.serialize(TOPIC, Samples.snapshot());
    value[4] = 77;

    JsonNode line = json(formatter.format(record(key("main"), value)));

    assertThat(line.get("error").textValue()).contains("Unknown schema id").contains("77");
    assertThat(line.get("valueSchemaId").intValue()).isEqualTo(77);
    assertThat(line.get("valueBase64").textValue())
        .isEqualTo(Base64.getEncoder().encodeToString(value));
    assertThat(line.get("key").textValue()).isEqualTo("main");
    assertThat(line.get("offset").longValue()).isEqualTo(12);
  }

  @Test
  void printsAnErrorObjectForATruncatedAvroPayload() throws Exception {
    byte[] value = serializer.serialize(TOPIC, Samples.snapshot());
    byte[] truncated = Arrays.copyOf(value, value.length - 12);

    JsonNode line = json(formatter.format(record(key("main"), truncated)));

    assertThat(line.get("error").textValue())
        .startsWith("value: cannot decode Avro with schema id 1");
    assertThat(line.has("value")).isFalse();
  }

  @Test
  void printsAnErrorObjectForBinaryThatIsNeitherAvroNorText() throws Exception {
    byte[] value = {(byte) 0xff, (byte) 0xfe, 0x01};

    JsonNode line = json(formatter.format(record(key("main"), value)));

    assertThat(line.get("error").textValue())
        .isEqualTo("value: neither Confluent-framed Avro (magic byte 0) nor UTF-8 text");
    assertThat(line.get("valueBase64").textValue()).isEqualTo("//4B");
  }

  @Test
  void printsANullTimestampWhenTheRecordHasNone() throws Exception {
    ConsumerRecord<byte[], byte[]> noTimestamp =
        new ConsumerRecord<>(TOPIC, 1, 3, key("k"), "v".getBytes(StandardCharsets.UTF_8));

    JsonNode line = json(formatter.format(noTimestamp));

    assertThat(line.get("timestamp").isNull()).isTrue();
    assertThat(line.get("partition").intValue()).isEqualTo(1);
  }

  private static byte[] key(String key) {
    try (StringSerializer strings = new StringSerializer()) {
      return strings.serialize(TOPIC, key);
    }
  }

  private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
    return new ConsumerRecord<>(
        TOPIC,
        0,
        12,
        TIMESTAMP,
        TimestampType.CREATE_TIME,
        key == null ? -1 : key.length,
        value == null ? -1 : value.length,
        key,
        value,
        new RecordHeaders(),
        Optional.empty());
  }

  private static JsonNode json(String line) throws Exception {
    return new ObjectMapper().readTree(line);
  }
}
