package io.pmaccountstream.cli;

import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The README's first command, in process, on the real broker and registry: the expected events
 * appear, the console shows the table and nothing else, and the logs are in the file it names.
 */
class DemoCommandIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  /** Every line the console may show: intro, header, rows, summary, the consume commands. */
  private static final List<Pattern> CONSOLE_LINES =
      List.of(
          Pattern.compile("Logs: /\\S+/demo\\.log"),
          Pattern.compile(
              "Simulator http://127\\.0\\.0\\.1:\\d+: \\d+ accounts \\(margin-call, liquidation\\)"
                  + " at \\d+x speed; polling every \\S+ for \\S+"),
          Pattern.compile("TIME +ACCOUNT +EVENT +FROM -> TO +UNIMMR"),
          Pattern.compile(
              "\\d\\d:\\d\\d:\\d\\d  [a-z-]+-\\d+ +(STATUS|BREACHED|RECOVERED) +\\S.* -> .*\\S +[-0-9.]+"),
          Pattern.compile(""),
          Pattern.compile("\\d+ status transitions, \\d+ uniMMR level events\\."),
          Pattern.compile("Read the topics yourself \\(they stay on the broker while it runs\\):"),
          Pattern.compile(
              "  bin/pm-account-stream consume --topic \\S+ --from-beginning --max 20"
                  + " --bootstrap-servers \\S+ --schema-registry-url \\S+"));

  @Test
  void showsOnlyTheTableOfTheMarginCallAndLiquidationScenariosAndLogsToTheFileItNames()
      throws IOException {
    // Not under /tmp: the demo's state dir is in its work dir, and Streams warns about /tmp.
    Path workDir = Files.createTempDirectory(Path.of("target"), "demo-it-");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream systemOut = System.out;
    PrintStream systemErr = System.err;
    PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
    int exit;
    System.setOut(capture);
    System.setErr(capture);
    try {
      CommandLine cli = Main.commandLine();
      exit =
          cli.execute(
              "demo",
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--schema-registry-url",
              registry.url(),
              "--duration",
              "40s",
              "--speed",
              "40",
              "--accounts",
              "1",
              "--work-dir",
              workDir.toString());
    } finally {
      System.setOut(systemOut);
      System.setErr(systemErr);
    }

    String printed = console.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(printed).isZero();
    assertThat(printed)
        .contains("TIME      ACCOUNT")
        .containsPattern("margin-call-1 +STATUS +\\(first seen\\) -> NORMAL \\(INITIAL\\)")
        .containsPattern("margin-call-1 +STATUS +NORMAL -> MARGIN_CALL \\(WORSENED\\)")
        .containsPattern("margin-call-1 +STATUS +MARGIN_CALL -> REDUCE_ONLY \\(WORSENED\\)")
        .containsPattern("liquidation-1 +STATUS +REDUCE_ONLY -> FORCE_LIQUIDATION \\(WORSENED\\)")
        .containsPattern("liquidation-1 +BREACHED +above 1.5 -> below")
        .containsPattern("liquidation-1 +BREACHED +above 1.2 -> below")
        .containsPattern("liquidation-1 +BREACHED +above 1.05 -> below")
        .contains("consume --topic pm.account.status-transitions");
    List<String> lines = printed.lines().toList();
    assertThat(lines)
        .as(printed)
        .allSatisfy(
            line ->
                assertThat(CONSOLE_LINES)
                    .as("console line %s", line)
                    .anySatisfy(p -> assertThat(p.matcher(line).matches()).isTrue()));

    Path logFile = workDir.toAbsolutePath().normalize().resolve("demo.log");
    assertThat(lines.get(0)).isEqualTo("Logs: " + logFile);
    assertThat(logFile).isRegularFile();
    String logged = Files.readString(logFile);
    // Kafka Streams rightly warns about a state dir under the OS temp dir when the checkout itself
    // is there (a clone in /tmp): the demo's state dir is under its work dir, so only that WARN may
    // appear, and only then.
    boolean checkoutUnderTmp =
        workDir
            .toAbsolutePath()
            .normalize()
            .startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize());
    String tmpWarning = "Using an OS temp directory in the state.dir";
    String loggedWithoutTmpWarning =
        checkoutUnderTmp
            ? logged.lines().filter(l -> !l.contains(tmpWarning)).collect(joining("\n"))
            : logged;
    assertThat(loggedWithoutTmpWarning)
        .as("the log file holds the logs")
        .containsPattern("INFO  \\[[^]]+\\] \\S+ ")
        .doesNotContain("Processing exception handler is not enabled for the GlobalThread")
        .doesNotContain(tmpWarning)
        .as("no WARN from Kafka Streams or from us")
        .doesNotContainPattern("WARN  \\[[^]]+\\] (o\\.a\\.k\\.s|i\\.p)\\.");
    assertThat(workDir.resolve("state")).doesNotExist();
    try (var paths = Files.walk(workDir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
