package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FetchCommandTest {

  private static final String SECRET =
      "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void listsEveryConfigurationProblemAndExitsWith2() {
    int exit =
        run(
            Map.of("PMAS_API_SECRET", SECRET, "PMAS_BINANCE_RETRY_MAX_ATTEMPTS", "many"),
            "--base-url",
            "http://papi.binance.com",
            "--recv-window",
            "90s");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("Invalid configuration (4 problems)")
        .contains("binance.base.url", "binance.recv.window", "binance.retry.max.attempts")
        .contains("has no API key")
        .doesNotContain(SECRET);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void severalConfiguredAccountsNeedAnAccountId() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("pmas.properties"),
            "accounts=alice,bob\n"
                + "account.alice.api.key=a\naccount.alice.secret="
                + SECRET
                + "\n"
                + "account.bob.api.key=b\naccount.bob.secret="
                + SECRET
                + "\n");

    int exit = run(Map.of(), "--config", config.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("several accounts are configured (alice, bob)", "--account-id");
  }

  @Test
  void anUnknownAccountIdIsAProblem() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("pmas.properties"),
            "accounts=alice\naccount.alice.api.key=a\naccount.alice.secret=" + SECRET + "\n");

    int exit = run(Map.of(), "--config", config.toString(), "--account-id", "carol");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--account-id carol is not among the configured accounts");
  }

  @Test
  void anUnreadableConfigFileIsAProblem() {
    int exit = run(Map.of(), "--config", dir.resolve("missing.properties").toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("cannot read config file");
  }

  @Test
  void isRegisteredInMain() {
    assertThat(Main.commandLine().getSubcommands()).containsKey("fetch");
  }

  private int run(Map<String, String> env, String... args) {
    CommandLine command = Main.commandLine(new FetchCommand(env));
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    return command.execute(args);
  }
}
