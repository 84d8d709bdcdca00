package io.pmaccountstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * docs/simulator.md lists the hostile corpus as the code has it; on a drift the expected table is
 * written to target/hostile-corpus-table.md.
 */
class HostileCorpusDocumentationTest {

  @Test
  void corpusTableMatchesTheCode() throws IOException {
    String doc = Files.readString(Path.of("docs/simulator.md"));
    String table = table();
    if (!doc.contains(table)) {
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "hostile-corpus-table.md"), table);
    }
    assertThat(doc)
        .as("docs/simulator.md must contain target/hostile-corpus-table.md")
        .contains(table);
  }

  static String table() {
    StringBuilder table = new StringBuilder("| Name | Answer | A client must |\n|---|---|---|\n");
    for (HostileAnswer entry : HostileCorpus.entries()) {
      table
          .append("| `")
          .append(entry.name())
          .append("` | ")
          .append(entry.description().replace("|", "\\|"))
          .append(" | ")
          .append(entry.accounting().name().toLowerCase(Locale.ROOT).replace('_', ' '))
          .append(" |\n");
    }
    return table.toString();
  }
}
