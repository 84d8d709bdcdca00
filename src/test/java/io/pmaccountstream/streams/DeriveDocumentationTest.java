package io.pmaccountstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.derivation.DerivationConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/derive.md's configuration table is the code's: this test fails when they drift. */
class DeriveDocumentationTest {

  private static final Path DOC = Path.of("docs", "derive.md");

  @Test
  void configurationTableMatchesTheDeclaredKeys() throws IOException {
    assertThat(Files.readString(DOC))
        .as("docs/derive.md must contain this table (copy it from here)")
        .contains(table());
  }

  @Test
  void documentsTheEventIdFormatsAndTheStaleMetric() throws IOException {
    assertThat(Files.readString(DOC))
        .contains(
            "acct-1|1732363200123|REDUCE_ONLY",
            "acct-1|1732363200123|BREACHED|1.20000000",
            "kafka.stream.pm.derive.stale.snapshots.total",
            DerivationTopology.STORE,
            DerivationTopology.changelogTopic("pm-account-stream-derive"));
  }

  static String table() {
    List<ConfigField<?>> fields = new ArrayList<>(DerivationConfig.fields());
    fields.addAll(DeriveConfig.fields());
    StringBuilder table = new StringBuilder("| Key | Default | Description |\n|---|---|---|\n");
    for (ConfigField<?> field : fields) {
      table
          .append("| `")
          .append(field.name())
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
