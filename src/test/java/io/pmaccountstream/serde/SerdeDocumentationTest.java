package io.pmaccountstream.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/serde.md names the tests that are the serde's contract: they must exist. */
class SerdeDocumentationTest {

  private static final Pattern NAMED_TEST =
      Pattern.compile("`(\\w+(?:Test|IT|Properties))(?:\\.(\\w+))?`");

  @Test
  void everyContractTestTheDocNamesExistsWithItsMethod() throws IOException {
    String doc = Files.readString(Path.of("docs/serde.md"));
    String contract = doc.substring(doc.indexOf("### Which tests are its contract"));
    Matcher named = NAMED_TEST.matcher(contract.substring(0, contract.indexOf("\n## ")));
    List<String> missing = new ArrayList<>();
    int count = 0;
    while (named.find()) {
      count++;
      Path source = source(named.group(1));
      if (source == null) {
        missing.add(named.group(1));
      } else if (named.group(2) != null
          && !Files.readString(source).contains("void " + named.group(2) + "(")) {
        missing.add(named.group(0));
      }
    }

    assertThat(count).as("tests named in the contract table").isGreaterThanOrEqualTo(8);
    assertThat(missing).isEmpty();
  }

  private static Path source(String className) throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
      return files
          .filter(p -> p.getFileName().toString().equals(className + ".java"))
          .findFirst()
          .orElse(null);
    }
  }
}
