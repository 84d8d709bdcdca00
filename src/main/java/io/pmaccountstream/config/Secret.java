package io.pmaccountstream.config;

import java.util.Objects;

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
