package io.pmaccountstream.config;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * Start-up configuration is invalid; carries every problem found, not just the first, each once
 * (two components that read the same key, such as {@code poll.interval}, both record its problem).
 */
public final class ConfigException extends RuntimeException {

  private final List<String> problems;

  /**
   * @param problems every problem found, at least one; a problem found twice is listed once
   */
  public ConfigException(List<String> problems) {
    super(format(distinct(problems)));
    this.problems = distinct(problems);
  }

  public List<String> problems() {
    return problems;
  }

  /** In the order found, each once. */
  private static List<String> distinct(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    return List.copyOf(new LinkedHashSet<>(problems));
  }

  private static String format(List<String> problems) {
    StringBuilder text =
        new StringBuilder("Invalid configuration (")
            .append(problems.size())
            .append(problems.size() == 1 ? " problem" : " problems")
            .append("):");
    problems.forEach(p -> text.append(System.lineSeparator()).append("  - ").append(p));
    return text.toString();
  }
}
