package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table is generated from the code's declarations, so the two cannot
 * drift. To regenerate after changing a field: {@code mvn -q test -Dtest=ReadmeConfigTableTest
 * -Dpmas.readme.update=true}.
 */
class ReadmeConfigTableTest {

  private static final String START = "<!-- config-table:start (generated from ConfigCatalog) -->";
  private static final String END = "<!-- config-table:end -->";
  private static final Path README = Path.of("README.md");

  @Test
  void readmeTableMatchesTheDeclaredConfigurationKeys() throws IOException {
    String readme = Files.readString(README);
    String expected = START + "\n" + table() + END;
    int start = readme.indexOf(START);
    int end = readme.indexOf(END);
    assertThat(start).as("README has the config table markers").isNotNegative();
    assertThat(end).isGreaterThan(start);
    String actual = readme.substring(start, end + END.length());
    if (Boolean.getBoolean("pmas.readme.update") && !actual.equals(expected)) {
      Files.writeString(README, readme.replace(actual, expected));
      actual = expected;
    }
    assertThat(actual)
        .as("README configuration table; regenerate with -Dpmas.readme.update=true")
        .isEqualTo(expected);
  }

  static String table() {
    StringBuilder md = new StringBuilder();
    md.append("| key | environment variable | type | default | description |\n");
    md.append("|---|---|---|---|---|\n");
    List<ConfigField<?>> fields = new java.util.ArrayList<>(ConfigCatalog.allFields());
    fields.addAll(ConfigCatalog.perAccountFields());
    fields.addAll(ConfigCatalog.passThroughFields());
    for (ConfigField<?> f : fields) {
      String def =
          f.isRequired() ? "required" : f.defaultValue().map(v -> "`" + v + "`").orElse("");
      String doc = f.doc() + f.validation().map(v -> " (" + v + ")").orElse("");
      md.append("| `")
          .append(f.name())
          .append("` | `")
          .append(Settings.envName(f.name()))
          .append("` | ")
          .append(f.type())
          .append(" | ")
          .append(def.replace("|", "\\|"))
          .append(" | ")
          .append(doc.replace("|", "\\|").replace("\n", " "))
          .append(" |\n");
    }
    return md.toString();
  }
}
