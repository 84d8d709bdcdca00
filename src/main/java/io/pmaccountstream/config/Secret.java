package io.pmaccountstream.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A credential that never prints itself: {@link #toString()} is a fixed mask, so a secret cannot
 * leak through a log line, an exception message or a debugger's view of a config object. Read the
 * value with {@link #reveal()} only where it is used (signing, an Authorization header).
 */
public final class Secret {

  private static final String MASK = "[hidden]";
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String value) {
    Objects.requireNonNull(value, "value");
    return new Secret(value);
  }

  /**
   * The content of {@code file}, the value of {@code field}, stripped of surrounding whitespace. An
   * empty or unreadable file is a problem of {@code reader} that names the key and the file, never
   * any of the content.
   */
  public static Optional<Secret> fromFile(ConfigReader reader, ConfigField<Path> field, Path file) {
    try {
      String content = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (content.isEmpty()) {
        reader.problem(field.name() + " = " + file + ": the file is empty");
        return Optional.empty();
      }
      return Optional.of(of(content));
    } catch (IOException e) {
      reader.problem(
          field.name()
              + " = "
              + file
              + ": cannot read the file ("
              + e.getClass().getSimpleName()
              + ")");
      return Optional.empty();
    }
  }

  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public String toString() {
    return MASK;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret that && value.equals(that.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
