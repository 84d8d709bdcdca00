package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.streams.DeriveApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DeriveCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Runs as {@code main} does, but without the machine's {@code PMAS_*} variables. */
  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    DeriveCommand derive = cli.getSubcommands().get("derive").getCommand();
    derive.config.environment = Map.of();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void isListedAsASubcommand() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("derive");
  }

  @Test
  void helpNamesEveryFlag() {
    assertThat(run("derive", "--help")).isZero();
    assertThat(out.toString())
        .contains(
            "--config",
            "--set",
            "--bootstrap-servers",
            "--schema-registry-url",
            "--application-id",
            "--state-dir",
            "--levels",
            "--hysteresis",
            "--commit-interval")
        .contains("0.02 = 2 % (derive.hysteresis");
  }

  @Test
  void exitsWithTwoListingEveryConfigurationProblem() {
    int code =
        run(
            "derive",
            "--schema-registry-url",
            "ftp://registry",
            "--levels",
            "1.2,0",
            "--hysteresis",
            "1.5",
            "--commit-interval",
            "soon");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "bootstrap.servers is required",
            "schema.registry.url",
            "derive.levels",
            "derive.hysteresis",
            "derive.commit.interval");
  }

  @Test
  void flagsWinOverTheConfigFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("derive.properties");
    Files.writeString(
        file,
        "bootstrap.servers=file:9092\nschema.registry.url=https://file:8081\nderive.levels=1.3\n");
    DeriveCommand command = new DeriveCommand();
    new CommandLine(command).parseArgs("--config", file.toString(), "--levels", "1.1,1.4");
    command.config.environment = Map.of();

    DeriveApp.Settings settings = command.read().app();

    assertThat(settings.connection().bootstrapServers()).isEqualTo("file:9092");
    assertThat(settings.topology().derivation().levels())
        .extracting(java.math.BigDecimal::toPlainString)
        .containsExactly("1.40000000", "1.10000000");
  }
}
