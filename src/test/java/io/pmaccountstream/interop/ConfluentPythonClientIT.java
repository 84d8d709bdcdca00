package io.pmaccountstream.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.cli.Main;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.replay.AvroContainerEventSink;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Confluent's own Python client reads everything we write: every Avro topic through the registry,
 * the replay and export Avro container files, and (with pandas) the CSV export; DuckDB reads the
 * Parquet export. The readers are Debian's python3-confluent-kafka, python3-avro and python3-pandas
 * in {@code /usr/bin/python3} (tools/interop/confluent_read.py); this test fails, never skips, when
 * they are missing.
 */
class ConfluentPythonClientIT {

  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final String INSTALL =
      "apt-get update && apt-get install -y python3-confluent-kafka python3-avro"
          + " python3-requests python3-pandas";

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  @TempDir static Path dir;

  static InteropHistory history;
  static JsonNode seen;
  static Path exportAvro;
  static Path exportCsv;
  static Path exportParquet;
  static Path replayTransitions;
  static Path replayLevels;

  @BeforeAll
  static void publishExportReplayAndRead() throws Exception {
    run(List.of("--versions")); // fails first, with the install command, when a package is missing
    history = InteropHistory.create();
    Topics topics = history.topics;
    try (Admin admin = kafka.admin()) {
      history.publish(kafka.bootstrapServers(), registry.url(), admin, dir.resolve("state"));
    }
    exportAvro = dir.resolve("export.avro");
    exportCsv = dir.resolve("export.csv");
    Path replay = dir.resolve("replay.avro");
    cli("export", "--from", history.start.toString(), "--out", exportAvro.toString());
    cli("export", "--from", history.start.toString(), "--out", exportCsv.toString());
    exportParquet = dir.resolve("export.parquet");
    cli("export", "--from", history.start.toString(), "--out", exportParquet.toString());
    cli("replay", "--from", history.start.toString(), "--out", replay.toString());
    replayTransitions = AvroContainerEventSink.transitionsPath(replay);
    replayLevels = AvroContainerEventSink.levelEventsPath(replay);

    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--schema-registry-url",
            registry.url()));
    for (String topic :
        List.of(
            topics.snapshots(),
            topics.statusTransitions(),
            topics.lowUniMmr(),
            topics.latest(),
            topics.riskLevelChanges())) {
      args.addAll(List.of("--topic", topic));
    }
    for (Path file : List.of(exportAvro, replayTransitions, replayLevels)) {
      args.addAll(List.of("--avro-file", file.toString()));
    }
    args.addAll(
        List.of(
            "--csv-file",
            exportCsv.toString(),
            "--csv-schema",
            projectDir().resolve("schemas/AccountStatus.avsc").toString(),
            "--csv-schema",
            projectDir().resolve("schemas/AccountSnapshot.avsc").toString()));
    seen = PythonView.JSON.readTree(run(args));
  }

  @Test
  void theStoryIsTheOneDocsSqlReadmeTells() {
    assertThat(history.snapshots).hasSize(13);
    assertThat(history.accepted).hasSize(12);
    assertThat(history.transitions).hasSize(10);
    assertThat(history.levelEvents).hasSize(10);
  }

  @Test
  void usesConfluentsClientFromDebian() {
    assertThat(seen.at("/client/confluent_kafka").asText()).isNotBlank();
    assertThat(seen.at("/client/librdkafka").asText()).isNotBlank();
    assertThat(seen.at("/client/avro").asText()).isNotBlank();
  }

  @Test
  void readsEverySnapshotWithExactDecimalsUtcTimesAndStringKeys() {
    assertTopic(history.topics.snapshots(), history.snapshots);
  }

  @Test
  void readsEveryStatusTransition() {
    assertTopic(history.topics.statusTransitions(), history.transitions);
  }

  @Test
  void readsEveryLevelEvent() {
    assertTopic(history.topics.lowUniMmr(), history.levelEvents);
  }

  @Test
  void readsTheLatestTopic() {
    assertTopic(history.topics.latest(), history.accepted);
  }

  @Test
  void readsThePushTopicsRiskLevelChangesStampedAtTheirEventTime() {
    assertTopic(history.topics.riskLevelChanges(), history.riskLevelChanges, "eventTime");
  }

  @Test
  void everyDecimalOfEveryTopicArrivesAtScaleEight() {
    List<String> decimalTags = new ArrayList<>();
    for (JsonNode topic : seen.at("/topics")) {
      for (JsonNode tags : topic.get("types")) {
        tags.forEach(tag -> decimalTags.add(tag.asText()));
      }
    }
    decimalTags.removeIf(tag -> !tag.startsWith("Decimal"));
    assertThat(decimalTags).isNotEmpty().containsOnly("Decimal(scale=8)");
  }

  @Test
  void readsTheExportedAvroContainer() {
    assertFile(seen.at("/avroFiles").get(exportAvro.toString()), history.snapshots);
    assertThat(seen.at("/avroFiles").get(exportAvro.toString()).get("schema").asText())
        .isEqualTo(AccountSnapshot.getClassSchema().getFullName());
  }

  @Test
  void readsTheReplayedEventContainers() {
    assertFile(seen.at("/avroFiles").get(replayTransitions.toString()), history.transitions);
    assertFile(seen.at("/avroFiles").get(replayLevels.toString()), history.levelEvents);
  }

  @Test
  void pandasLoadsTheCsvExportWithDecimalsIntact() {
    JsonNode csv = seen.at("/csvFiles").get(exportCsv.toString());
    assertFile(csv, history.snapshots);
    assertThat(csv.get("columns"))
        .extracting(JsonNode::asText)
        .containsExactlyElementsOf(
            AccountSnapshot.getClassSchema().getFields().stream().map(f -> f.name()).toList());
  }

  /** No pyarrow in Debian's pandas here: DuckDB, an independent Parquet reader, checks the file. */
  @Test
  void duckDbReadsTheParquetExportWithoutHadoopInTheWriter() throws Exception {
    assertThatThrownBy(() -> Class.forName("org.apache.hadoop.conf.Configuration"))
        .isInstanceOf(ClassNotFoundException.class);
    List<List<Object>> rows = new ArrayList<>();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement();
        ResultSet rs =
            sql.executeQuery(
                "SELECT accountId, uniMMR, accountEquity, accountStatus, observedAt, \"sequence\""
                    + " FROM read_parquet('"
                    + exportParquet
                    + "') ORDER BY accountId, \"sequence\"")) {
      while (rs.next()) {
        rows.add(
            List.of(
                rs.getString(1),
                String.valueOf(rs.getBigDecimal(2)),
                rs.getBigDecimal(3).toPlainString(),
                rs.getString(4),
                rs.getObject(5, OffsetDateTime.class).toInstant().toString(),
                rs.getLong(6)));
      }
    }
    List<List<Object>> expected =
        history.snapshots.stream()
            .sorted(
                Comparator.comparing(AccountSnapshot::getAccountId)
                    .thenComparing(AccountSnapshot::getSequence))
            .map(
                s ->
                    List.<Object>of(
                        s.getAccountId(),
                        String.valueOf(s.getUniMMR()),
                        s.getAccountEquity().toPlainString(),
                        s.getAccountStatus().name(),
                        s.getObservedAt().toString(),
                        s.getSequence()))
            .toList();
    assertThat(rows).containsExactlyElementsOf(expected);
  }

  private static void assertTopic(String topic, List<? extends SpecificRecord> written) {
    assertTopic(topic, written, "observedAt");
  }

  /** Every record equal, keyed by its account id, stamped at the value's {@code timeField}. */
  private static void assertTopic(
      String topic, List<? extends SpecificRecord> written, String timeField) {
    JsonNode summary = seen.at("/topics").get(topic);
    assertThat(summary).as("topic %s in the summary", topic).isNotNull();
    assertThat(summary.get("records").asInt()).as(topic + " records").isEqualTo(written.size());
    assertThat(summary.get("types"))
        .as(topic + " types")
        .isEqualTo(PythonView.tree(PythonView.types(written, true)));
    assertThat(PythonView.byAccount(summary.get("rows"), true))
        .as(topic + " rows")
        .isEqualTo(PythonView.byAccount(written));
    for (JsonNode row : summary.get("rows")) {
      assertThat(row.get("key").asText()).isEqualTo(row.at("/value/accountId").asText());
      assertThat(PythonView.utc(row.get("timestamp").asLong()))
          .as("record timestamp is " + timeField)
          .isEqualTo(row.at("/value/" + timeField).asText());
    }
  }

  private static void assertFile(JsonNode summary, List<? extends SpecificRecord> written) {
    assertThat(summary).isNotNull();
    assertThat(summary.get("records").asInt()).isEqualTo(written.size());
    assertThat(summary.get("types")).isEqualTo(PythonView.tree(PythonView.types(written, false)));
    assertThat(PythonView.byAccount(summary.get("rows"), false))
        .isEqualTo(PythonView.byAccount(written));
  }

  private static void cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    Topics topics = history.topics;
    all.addAll(
        List.of(
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--schema-registry-url",
            registry.url(),
            "--quiet",
            "--set",
            Topics.SNAPSHOTS.name() + "=" + topics.snapshots(),
            "--set",
            Topics.STATUS_TRANSITIONS.name() + "=" + topics.statusTransitions(),
            "--set",
            Topics.LOW_UNIMMR.name() + "=" + topics.lowUniMmr()));
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(all.toArray(String[]::new));
    assertThat(exit).as(String.join(" ", args) + ": " + err).isZero();
  }

  /** Runs the script with /usr/bin/python3; returns its stdout, fails with its stderr. */
  static String run(List<String> args) throws IOException, InterruptedException {
    if (!Files.isExecutable(PYTHON)) {
      fail(PYTHON + " is missing: the interop IT needs Debian's python3; install: " + INSTALL);
    }
    List<String> command = new ArrayList<>();
    command.add(PYTHON.toString());
    command.add(projectDir().resolve("tools/interop/confluent_read.py").toString());
    command.addAll(args);
    Path out = Files.createTempFile(dir, "python", ".out");
    Path err = Files.createTempFile(dir, "python", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile());
    builder.redirectError(err.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("PYTHON"));
    Process process = builder.start();
    try {
      if (!process.waitFor(180, TimeUnit.SECONDS)) {
        fail("confluent_read.py did not finish in 180 s: " + Files.readString(err));
      }
    } finally {
      process.destroyForcibly();
    }
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    if (process.exitValue() == 3) {
      fail("Confluent's Python client is not installed: " + stderr.strip() + "\nRun: " + INSTALL);
    }
    assertThat(process.exitValue()).as("confluent_read.py failed: " + stderr).isZero();
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  static Path projectDir() {
    return Path.of(System.getProperty("pmas.project.dir", "."));
  }
}
