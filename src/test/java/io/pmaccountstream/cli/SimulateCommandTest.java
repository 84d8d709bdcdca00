package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.simulator.SimulatorConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimulateCommandTest {

  private final CommandLine.Model.CommandSpec simulate =
      Main.commandLine().getSubcommands().get("simulate").getCommandSpec();

  @Test
  void everyConfigurationKeyHasItsFlag() {
    List<String> missing =
        SimulatorConfig.fields().stream()
            .map(ConfigField::name)
            .map(SimulatorConfig::flagOf)
            .filter(flag -> simulate.findOption(flag) == null)
            .toList();

    assertThat(missing).isEmpty();
  }

  @Test
  void everyFlagSetsAConfigurationKey() throws Exception {
    List<String> keyFlags =
        SimulatorConfig.fields().stream().map(f -> SimulatorConfig.flagOf(f.name())).toList();

    assertThat(simulate.options())
        .extracting(o -> o.longestName())
        .filteredOn(
            // --set KEY=VALUE sets any key by name (the shared ConfigOptions of every command)
            name ->
                !List.of("--help", "--version", "--config", "--set", "--duration").contains(name))
        .allSatisfy(name -> assertThat(keyFlags).contains(name));
  }
}
