package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A mounted properties file ({@code --config /etc/pm-account-stream/config/pm.properties}, as the
 * k8s manifests pass it) configures every command that talks to Kafka, the registry or Binance.
 */
class ConfigFileOnEveryCommandTest {

  /** help prints; demo starts its own local broker, registry and simulator and reads no file. */
  private static final Set<String> WITHOUT_CONFIGURATION = Set.of("help", "demo");

  @Test
  void everyConfiguredCommandAcceptsAConfigFile() {
    Map<String, CommandLine> subcommands = Main.commandLine().getSubcommands();
    assertThat(subcommands).containsKeys("poll", "derive", "consume", "replay", "export", "fetch");

    subcommands.forEach(
        (name, command) -> {
          if (!WITHOUT_CONFIGURATION.contains(name)) {
            assertThat(command.getCommandSpec().findOption("--config"))
                .as(name + " --config")
                .isNotNull();
          }
        });
  }
}
