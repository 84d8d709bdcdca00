package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.HistoryFixture.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.replay.HistoryFixture.CliRun;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code export} on a real broker and a real schema registry. */
class ExportIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final List<String> ACCOUNTS = List.of("acct-a", "acct-b", "acct-c", "acct-d");

  @TempDir Path dir;

  private final Topics topics = HistoryFixture.uniqueTopics();
  private final Instant start =
      Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(3));

  @Test
  void exportWritesTheRangeAsAvroAndCsvThatReadBack() throws IOException {
    List<AccountSnapshot> history = HistoryFixture.randomWalk(ACCOUNTS, start, 40, 11);
    kafka.createTopic(topics.snapshots(), 3);
    HistoryFixture.produce(kafka.bootstrapServers(), registry.url(), topics.snapshots(), history);
    Instant from = start.plus(Duration.ofMinutes(5));
    Instant to = start.plus(Duration.ofMinutes(15));
    List<AccountSnapshot> expected =
        history.stream()
            .filter(s -> !s.getObservedAt().isBefore(from) && s.getObservedAt().isBefore(to))
            .filter(s -> !s.getAccountId().equals("acct-d"))
            .toList();
    Path avro = dir.resolve("history.avro");
    Path csv = dir.resolve("history.csv");

    CliRun avroRun =
        cli(
            connection(
                "export",
                "--from",
                from.toString(),
                "--to",
                to.toString(),
                "--accounts",
                "acct-a,acct-b,acct-c",
                "--out",
                avro.toString()));
    CliRun csvRun =
        cli(
            connection(
                "export",
                "--from",
                from.toString(),
                "--to",
                to.toString(),
                "--accounts",
                "acct-a,acct-b,acct-c",
                "--out",
                csv.toString()));

    assertThat(avroRun.exitCode()).as(avroRun.err()).isZero();
    assertThat(csvRun.exitCode()).as(csvRun.err()).isZero();
    List<AccountSnapshot> exported = EventSinksTest.readSpecific(avro, AccountSnapshot.class);
    assertThat(exported).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(byAccount(exported, AccountSnapshot::getAccountId))
        .isEqualTo(byAccount(expected, AccountSnapshot::getAccountId));
    assertThat(exported)
        .extracting(AccountSnapshot::getObservedAt)
        .isSortedAccordingTo(Instant::compareTo);
    List<String> rows = Files.readAllLines(csv);
    assertThat(rows).hasSize(expected.size() + 1);
    AccountSnapshot first = exported.get(0);
    assertThat(rows.get(1))
        .startsWith(
            first.getAccountId()
                + ","
                + (first.getUniMMR() == null ? "" : first.getUniMMR().toPlainString())
                + ",25000.12345678,25100.50000000,4000.00000000,1500.25000000,");
    assertThat(csvRun.err()).contains(expected.size() + " snapshots of 3 accounts exported");
  }

  @Test
  void exportSkipsAndReportsBadRecords() throws IOException {
    kafka.createTopic(topics.snapshots(), 1);
    List<AccountSnapshot> history = HistoryFixture.randomWalk(List.of("acct-a"), start, 4, 3);
    HistoryFixture.produce(
        kafka.bootstrapServers(), registry.url(), topics.snapshots(), history.subList(0, 2));
    HistoryFixture.produceRaw(
        kafka.bootstrapServers(),
        topics.snapshots(),
        "acct-a",
        start.plusSeconds(45),
        "not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    HistoryFixture.produce(
        kafka.bootstrapServers(), registry.url(), topics.snapshots(), history.subList(2, 4));
    Path csv = dir.resolve("history.csv");

    CliRun run = cli(connection("export", "--from", start.toString(), "--out", csv.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readAllLines(csv)).hasSize(5);
    assertThat(run.err())
        .contains("1 bad records skipped {not Confluent wire format=1}")
        .contains(topics.snapshots() + "-0 offset 2: not Confluent wire format (8 bytes");
  }

  private String[] connection(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--schema-registry-url",
            registry.url(),
            "--set",
            Topics.SNAPSHOTS.name() + "=" + topics.snapshots()));
    return all.toArray(String[]::new);
  }

  private static <T> Map<String, List<T>> byAccount(List<T> records, Function<T, String> account) {
    Map<String, List<T>> grouped = new LinkedHashMap<>();
    for (T record : records) {
      grouped.computeIfAbsent(account.apply(record), a -> new ArrayList<>()).add(record);
    }
    return new TreeMap<>(grouped);
  }
}
