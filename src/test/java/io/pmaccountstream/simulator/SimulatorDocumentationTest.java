package io.pmaccountstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.ConfigField;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/simulator.md's configuration table is the code's: this test fails when they drift. */
class SimulatorDocumentationTest {

  @Test
  void configurationTableMatchesTheDeclaredKeys() throws IOException {
    String doc = Files.readString(Path.of("docs/simulator.md"));

    assertThat(doc)
        .as("docs/simulator.md must contain this table (copy it from here)")
        .contains(table());
  }

  static String table() {
    StringBuilder table =
        new StringBuilder("| Key | Flag | Default | Description |\n|---|---|---|---|\n");
    for (ConfigField<?> field : SimulatorConfig.fields()) {
      table
          .append("| `")
          .append(field.name())
          .append("` | `")
          .append(SimulatorConfig.flagOf(field.name()))
          .append("` | ")
          .append(field.defaultValue().map(v -> "`" + v + "`").orElse(""))
          .append(" | ")
          .append(field.doc().replace("|", "\\|"))
          .append(field.validation().map(v -> " (" + v + ")").orElse(""))
          .append(" |\n");
    }
    return table.toString();
  }
}
