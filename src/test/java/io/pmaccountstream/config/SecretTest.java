package io.pmaccountstream.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A secret read from a file: its content, or a problem naming the key and the file, never it. */
class SecretTest {

  private static final ConfigField<Path> FILE = ConfigField.path("a.secret.file", "a secret file");

  @TempDir Path dir;

  private final ConfigReader reader = new ConfigReader(Settings.ofFlags(Map.of()));

  @Test
  void fromFileIsTheStrippedContentAndNeverPrintsIt() throws IOException {
    Path file = Files.writeString(dir.resolve("secret"), "  hunter2\n");

    assertThat(Secret.fromFile(reader, FILE, file))
        .hasValueSatisfying(s -> assertThat(s.reveal()).isEqualTo("hunter2"))
        .hasValueSatisfying(s -> assertThat(s.toString()).doesNotContain("hunter2"));
    assertThat(reader.problems()).isEmpty();
  }

  @Test
  void anEmptyFileIsAProblemNamingTheKeyAndTheFile() throws IOException {
    Path file = Files.writeString(dir.resolve("empty"), " \n");

    assertThat(Secret.fromFile(reader, FILE, file)).isEmpty();
    assertThat(reader.problems())
        .containsExactly("a.secret.file = " + file + ": the file is empty");
  }

  @Test
  void anUnreadableFileIsAProblemThatNamesTheErrorNotTheContent() throws IOException {
    Path file = dir.resolve("not-utf8");
    Files.write(file, "hunter2\u00ff".getBytes(StandardCharsets.ISO_8859_1));
    Path missing = dir.resolve("missing");

    assertThat(Secret.fromFile(reader, FILE, file)).isEmpty();
    assertThat(Secret.fromFile(reader, FILE, missing)).isEmpty();
    assertThat(reader.problems())
        .containsExactly(
            "a.secret.file = " + file + ": cannot read the file (MalformedInputException)",
            "a.secret.file = " + missing + ": cannot read the file (NoSuchFileException)");
  }
}
