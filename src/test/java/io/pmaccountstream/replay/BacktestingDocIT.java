package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.HistoryFixture.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
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
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the commands of docs/backtesting.md on an hour of history shaped like the demo's (the
 * simulator's margin-call and liquidation scenarios, two accounts each, polled every 5 s), so the
 * documented commands keep working.
 */
class BacktestingDocIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  @TempDir Path dir;

  private final Topics topics = HistoryFixture.uniqueTopics();

  @Test
  void theDocumentedCommandsRunOnDemoShapedHistory() throws IOException {
    kafka.createTopic(topics.snapshots(), 3);
    HistoryFixture.produce(
        kafka.bootstrapServers(), registry.url(), topics.snapshots(), demoHistory());
    Path events = dir.resolve("replay.jsonl");
    Path summary = dir.resolve("summary.csv");
    Path history = dir.resolve("history.avro");

    CliRun replay =
        cli(
            args(
                "replay",
                "--from",
                "-1h",
                "--to",
                "now",
                "--summary",
                "--summary-out",
                summary.toString(),
                "--out",
                events.toString()));
    CliRun whatIf =
        cli(
            args(
                "replay",
                "--from",
                "-1h",
                "--levels",
                "1.3,1.1",
                "--hysteresis",
                "0.01",
                "--summary"));
    CliRun export = cli(args("export", "--from", "-1h", "--out", history.toString()));

    System.out.println(replay.err() + replay.out() + whatIf.out() + export.err());
    assertThat(replay.exitCode()).as(replay.err()).isZero();
    assertThat(replay.out()).containsPattern("liquidation-1 +1\\.05000000 +1 ");
    assertThat(Files.readAllLines(summary)).hasSize(1 + 4 * 3);
    assertThat(Files.readAllLines(events)).isNotEmpty();
    assertThat(whatIf.exitCode()).as(whatIf.err()).isZero();
    assertThat(whatIf.out()).contains("1.30000000").doesNotContain("1.50000000");
    assertThat(export.exitCode()).as(export.err()).isZero();
    assertThat(EventSinksTest.readSpecific(history, AccountSnapshot.class)).hasSizeGreaterThan(100);
  }

  private String[] args(String... args) {
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

  /** The last 70 minutes of two margin-call and two liquidation accounts, every 5 s. */
  private static List<AccountSnapshot> demoHistory() {
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant begin = end.minus(Duration.ofMinutes(70));
    Random random = new Random(5);
    List<AccountSnapshot> history = new ArrayList<>();
    long sequence = 0;
    for (Instant t = begin; t.isBefore(end); t = t.plusSeconds(5)) {
      double minutes = Duration.between(begin, t).toSeconds() / 60.0;
      sequence++;
      for (int n = 1; n <= 2; n++) {
        double lag = 3 * (n - 1);
        double marginCall = marginCall((minutes - lag) % 30) + random.nextGaussian() * 0.01;
        double liquidation = liquidation(minutes - lag) + random.nextGaussian() * 0.005;
        history.add(at("margin-call-" + n, t.plusMillis(n), marginCall, sequence));
        history.add(at("liquidation-" + n, t.plusMillis(10 + n), liquidation, sequence));
      }
    }
    return history;
  }

  private static double marginCall(double m) {
    if (m < 2) {
      return 1.8;
    }
    if (m < 10) {
      return 1.8 - (m - 2) * 0.085;
    }
    if (m < 16) {
      return 1.12 + 0.05 * Math.sin(m);
    }
    return Math.min(1.8, 1.12 + (m - 16) * 0.07);
  }

  private static double liquidation(double m) {
    return m < 1 ? 1.6 : Math.max(0.99, 1.6 - (m - 1) * 0.061);
  }

  private static AccountSnapshot at(String account, Instant t, double uniMmr, long sequence) {
    AccountStatus status =
        uniMmr >= 1.5
            ? AccountStatus.NORMAL
            : uniMmr >= 1.2
                ? AccountStatus.MARGIN_CALL
                : uniMmr >= 1.05 ? AccountStatus.REDUCE_ONLY : AccountStatus.FORCE_LIQUIDATION;
    return HistoryFixture.snapshot(
        account,
        t,
        Duration.ofMillis(300),
        String.format(Locale.ROOT, "%.8f", uniMmr),
        status,
        sequence);
  }
}
