package io.pmaccountstream.config;

import java.util.List;

/** Start-up configuration is invalid; carries every problem found, not just the first. */
public final class ConfigException extends RuntimeException {

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
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
