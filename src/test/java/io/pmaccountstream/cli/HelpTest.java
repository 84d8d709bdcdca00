package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every command's {@code --help} renders cleanly: picocli formats descriptions with {@link
 * String#format}, so a lone {@code %} prints a "Could not format" warning on stderr instead.
 */
class HelpTest {

  static Stream<String> commands() {
    List<String> names = new ArrayList<>(Main.commandLine().getSubcommands().keySet());
    names.add(0, "");
    return names.stream();
  }

  @ParameterizedTest(name = "{0} --help")
  @MethodSource("commands")
  void rendersWithoutPicocliWarnings(String command) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream original = System.err;
    int exit;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      CommandLine cli = Main.commandLine();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      exit = command.isEmpty() ? cli.execute("--help") : cli.execute(command, "--help");
    } finally {
      System.setErr(original);
    }

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("Usage: pm-account-stream").contains("--help");
    assertThat(err.toString()).isEmpty();
    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .doesNotContain("Could not format")
        .doesNotContain("WARN")
        .isEmpty();
  }
}
