package io.pmaccountstream.config;

import java.util.List;

/** Start-up configuration is invalid; carries every problem found, not just the first. */
public final class ConfigException extends RuntimeException {

  private final List<String> problems;

  /**
   * @param problems every problem found, at least one
   */
  public ConfigException(List<String> problems) {
    super(format(requireSome(problems)));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  private static List<String> requireSome(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    return problems;
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
