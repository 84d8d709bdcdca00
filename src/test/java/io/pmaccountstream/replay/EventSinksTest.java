package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.Records.levelEvent;
import static io.pmaccountstream.replay.Records.transition;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.LevelEventKind;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventSinksTest {

  @TempDir Path dir;

  private final AccountStatusTransition initial =
      transition("acct-1", 0, null, AccountStatus.NORMAL);
  private final AccountStatusTransition marginCall =
      transition("acct-1", 60, AccountStatus.NORMAL, AccountStatus.MARGIN_CALL);
  private final UniMmrLevelEvent breached =
      levelEvent("acct-1", 60, LevelEventKind.BREACHED, "1.2", "1.15");

  @Test
  void jsonLinesHaveATypeDecimalStringsAtScale8AndIsoTimestamps() throws IOException {
    Path out = dir.resolve("events.jsonl");
    try (JsonLinesEventSink sink = new JsonLinesEventSink(out)) {
      sink.transition(initial);
      sink.levelEvent(breached);
      sink.transition(marginCall);
    }

    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(3);
    ObjectMapper mapper = new ObjectMapper();
    JsonNode first = mapper.readTree(lines.get(0));
    assertThat(first.get("type").asText()).isEqualTo("status-transition");
    assertThat(first.get("eventId").asText()).isEqualTo("acct-1|1795514400000|NORMAL");
    assertThat(first.get("previousStatus").isNull()).isTrue();
    assertThat(first.get("direction").asText()).isEqualTo("INITIAL");
    assertThat(first.get("uniMMR").isTextual()).isTrue();
    assertThat(first.get("uniMMR").asText()).isEqualTo("1.15000000");
    assertThat(first.get("accountMaintMargin").asText()).isEqualTo("869.56521739");
    assertThat(first.get("observedAt").asText()).isEqualTo("2026-11-24T10:00:00Z");
    JsonNode level = mapper.readTree(lines.get(1));
    assertThat(level.get("type").asText()).isEqualTo("unimmr-level");
    assertThat(level.get("level").asText()).isEqualTo("1.20000000");
    assertThat(level.get("kind").asText()).isEqualTo("BREACHED");
    assertThat(level.get("updateTime").asText()).isEqualTo("2026-11-24T10:01:00Z");
    assertThat(mapper.readTree(lines.get(2)).get("previousStatus").asText()).isEqualTo("NORMAL");
  }

  @Test
  void jsonLinesCarryEveryFieldOfTheSchemaInOrder() throws IOException {
    Path out = dir.resolve("events.json");
    try (JsonLinesEventSink sink = new JsonLinesEventSink(out)) {
      sink.levelEvent(breached);
    }

    List<String> names = new ArrayList<>();
    new ObjectMapper().readTree(Files.readString(out)).fieldNames().forEachRemaining(names::add);
    List<String> expected = new ArrayList<>(List.of("type"));
    UniMmrLevelEvent.getClassSchema().getFields().forEach(f -> expected.add(f.name()));
    assertThat(names).containsExactlyElementsOf(expected);
  }

  @Test
  void avroWritesOneContainerPerEventTypeThatReadsBackEqual() throws IOException {
    Path out = dir.resolve("replay.avro");
    try (AvroContainerEventSink sink = new AvroContainerEventSink(out)) {
      sink.transition(initial);
      sink.levelEvent(breached);
      sink.transition(marginCall);
      assertThat(sink.destinations())
          .containsExactly(
              dir.resolve("replay.status-transitions.avro") + " (2 status transitions, Avro)",
              dir.resolve("replay.low-unimmr.avro") + " (1 uniMMR level events, Avro)");
    }

    assertThat(
            readSpecific(
                dir.resolve("replay.status-transitions.avro"), AccountStatusTransition.class))
        .containsExactly(initial, marginCall);
    assertThat(readSpecific(dir.resolve("replay.low-unimmr.avro"), UniMmrLevelEvent.class))
        .containsExactly(breached);
  }

  @Test
  void avroContainersKeepTheDecimalLogicalTypeForGenericReaders() throws IOException {
    Path out = dir.resolve("replay.avro");
    try (AvroContainerEventSink sink = new AvroContainerEventSink(out)) {
      sink.levelEvent(breached);
    }

    try (DataFileReader<GenericRecord> reader =
        new DataFileReader<>(
            dir.resolve("replay.low-unimmr.avro").toFile(), new GenericDatumReader<>())) {
      assertThat(reader.getSchema()).isEqualTo(UniMmrLevelEvent.getClassSchema());
      assertThat(reader.getMetaString("avro.codec")).isEqualTo("deflate");
      GenericRecord record = reader.next();
      assertThat(record.getSchema().getField("level").schema().getLogicalType().getName())
          .isEqualTo("decimal");
      assertThat(record.get("eventId").toString())
          .isEqualTo("acct-1|1795514460000|BREACHED|1.20000000");
    }
  }

  @Test
  void anEmptyReplayStillWritesValidContainers() throws IOException {
    Path out = dir.resolve("empty.avro");
    new AvroContainerEventSink(out).close();

    assertThat(
            readSpecific(
                dir.resolve("empty.status-transitions.avro"), AccountStatusTransition.class))
        .isEmpty();
    assertThat(readSpecific(dir.resolve("empty.low-unimmr.avro"), UniMmrLevelEvent.class))
        .isEmpty();
  }

  @Test
  void decimalsAreNeverWrittenInScientificNotation() {
    assertThat(FieldValues.decimal(new BigDecimal("1E-8"))).isEqualTo("0.00000001");
    assertThat(FieldValues.decimal(new BigDecimal("1.2E+3"))).isEqualTo("1200.00000000");
  }

  static <T> List<T> readSpecific(Path file, Class<T> type) throws IOException {
    List<T> records = new ArrayList<>();
    try (DataFileReader<T> reader =
        new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
      reader.forEach(records::add);
    }
    return records;
  }
}
