package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Every command reports configuration problems the same way: all listed on stderr, exit 2. */
class ConfigurationErrorsTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String command, String... more) {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.addAll(List.of(more));
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args.toArray(String[]::new));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "fetch",
        "simulate",
        "consume --topic t",
        "poll",
        "derive",
        "replay --from -1h --summary",
        "export --from -1h --out h.csv"
      })
  void aMissingConfigFileIsAConfigurationError(String command) {
    Path missing = dir.resolve("missing.properties");

    int exit = run(command, "--config", missing.toString());

    assertThat(exit).isEqualTo(ConfigOptions.EXIT_CONFIG);
    assertThat(err.toString())
        .startsWith("Invalid configuration (1 problem):")
        .contains("cannot read config file " + missing);
    assertThat(out.toString()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "consume --topic t",
        "poll",
        "derive",
        "replay --from -1h --summary",
        "export --from -1h --out h.csv"
      })
  void everyKafkaCommandListsEveryProblemFromFileSetAndFlagsAtOnce(String command)
      throws Exception {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "schema.registry.url=ftp://registry\n");

    int exit = run(command, "--config", file.toString(), "--set", "schema.registry.timeout=soon");

    assertThat(exit).isEqualTo(ConfigOptions.EXIT_CONFIG);
    assertThat(err.toString())
        .contains("bootstrap.servers is required")
        .contains("schema.registry.url = 'ftp://registry' (from config file)")
        .contains("schema.registry.timeout = 'soon' (from flag) is not a valid duration");
    assertThat(out.toString()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo --duration 5", "demo --duration 0s"})
  void demoRefusesItsDurationBeforeStartingAnything(String command) {
    int exit = run(command, "--bootstrap-servers", "127.0.0.1:1", "--schema-registry-url", "x");

    assertThat(exit).isEqualTo(ConfigOptions.EXIT_CONFIG);
    assertThat(err.toString()).contains("--duration '").contains("is not a valid duration");
    assertThat(out.toString()).isEmpty();
  }

  /** One parse-and-report for --duration: simulate refuses what demo refuses, in the same words. */
  @ParameterizedTest
  @ValueSource(strings = {"0s", "5", "+2m"})
  void simulateRefusesADurationThatIsNotPositiveAsDemoDoes(String duration) {
    int exit = run("simulate", "--duration", duration, "--port", "70000");

    assertThat(exit).isEqualTo(ConfigOptions.EXIT_CONFIG);
    assertThat(err.toString())
        .startsWith("Invalid configuration (2 problems):")
        .contains("simulator.port = '70000'")
        .contains("--duration '" + duration + "' is not a valid duration: ");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void demoNeedsTheBrokerAndTheRegistryBeforeItStartsTheSimulator() {
    int exit = run("demo", "--duration", "0.5ms");

    assertThat(exit).isEqualTo(ConfigOptions.EXIT_CONFIG);
    assertThat(err.toString())
        .startsWith("Invalid configuration (3 problems):")
        .contains("bootstrap.servers is required")
        .contains("schema.registry.url is required")
        .contains("--duration '0.5ms' is not a valid duration: finer than a millisecond");
    assertThat(out.toString()).as("nothing started, so nothing printed").isEmpty();
  }

  @Test
  void consumeListsItsOwnChecksWithTheConfigurationProblems() {
    int exit = run("consume --topic t --max 0");

    assertThat(exit).isEqualTo(ConfigOptions.EXIT_CONFIG);
    assertThat(err.toString())
        .contains("--max must be a positive number of records")
        .contains("bootstrap.servers is required");
  }
}
