package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ConsumeCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void listsEveryConfigurationProblemAtOnceWithExitCode2() {
    int exit =
        run("consume", "--topic", "t", "--schema-registry-url", "ftp://x", "--timeout", "soon");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("3 problems")
        .contains("bootstrap.servers is required")
        .contains("schema.registry.url = 'ftp://x'")
        .contains("consume.timeout = 'soon'");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void requiresATopic() {
    int exit = run("consume", "--bootstrap-servers", "127.0.0.1:9092");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--topic=TOPIC'");
  }

  @Test
  void refusesANonPositiveMax() {
    int exit =
        run(
            "consume",
            "--topic",
            "t",
            "--max",
            "0",
            "--bootstrap-servers",
            "127.0.0.1:9092",
            "--schema-registry-url",
            "http://127.0.0.1:8081");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--max must be a positive number");
  }
}
