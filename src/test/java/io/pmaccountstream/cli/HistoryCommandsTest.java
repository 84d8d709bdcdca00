package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Argument and configuration checking of replay and export; no broker needed. */
class HistoryCommandsTest {

  private final StringWriter err = new StringWriter();
  private final StringWriter out = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(out, true));
    return cli.execute(args);
  }

  @Test
  void replayListsEveryProblemAtOnceAndExitsWith2() {
    int exit =
        run(
            "replay",
            "--from",
            "yesterday",
            "--to",
            "-2x",
            "--warm-up",
            "forever",
            "--levels",
            "1.3,-1",
            "--hysteresis",
            "2",
            "--out",
            "events.txt");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("bootstrap.servers is required")
        .contains("schema.registry.url is required")
        .contains("--from: 'yesterday' is not a time")
        .contains("--to: '-2x' is not a relative time")
        .contains("--warm-up: 'forever' is not a duration")
        .contains("derive.levels = '1.3,-1' (from flag) is invalid")
        .contains("derive.hysteresis = '2' (from flag) is invalid")
        .contains("--out events.txt: the extension must be .jsonl, .json (JSON lines) or .avro");
  }

  @Test
  void replayRefusesAnEmptyRangeAndBothOutputs() {
    int exit =
        run(
            "replay",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--schema-registry-url",
            "http://127.0.0.1:1",
            "--from",
            "2026-11-24T10:00:00Z",
            "--to",
            "2026-11-24T09:00:00Z",
            "--out",
            "e.jsonl",
            "--out-topic",
            "bt.");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("the range is empty")
        .contains("give either --out FILE or --out-topic PREFIX, not both");
  }

  @Test
  void replayRefusesAnEmptyTopicPrefixSoLiveTopicsAreNeverWritten() {
    int exit =
        run(
            "replay",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--schema-registry-url",
            "http://127.0.0.1:1",
            "--from",
            "-1h",
            "--out-topic",
            "");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--out-topic needs a non-empty prefix");
  }

  @Test
  void replayNeedsSomethingToWrite() {
    int exit =
        run(
            "replay",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--schema-registry-url",
            "http://127.0.0.1:1",
            "--from",
            "-1h",
            "--summary-out",
            "s.txt");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--summary-out s.txt: the extension must be .csv or .json");
  }

  @Test
  void exportRefusesAnUnknownExtensionAndNamesTheSupportedOnes() {
    int exit =
        run(
            "export",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--schema-registry-url",
            "http://127.0.0.1:1",
            "--from",
            "-1h",
            "--out",
            "history.json");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("the extension must be .avro, .csv or .parquet");
  }

  @Test
  void helpNamesTheCommands() {
    run("--help");
    assertThat(out.toString()).contains("replay").contains("export");
  }
}
