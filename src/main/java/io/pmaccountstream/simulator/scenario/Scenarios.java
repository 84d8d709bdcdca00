package io.pmaccountstream.simulator.scenario;

import io.pmaccountstream.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Turns scenario names and file paths (as configured) into one scenario. */
public final class Scenarios {

  private Scenarios() {}

  /**
   * @param specs built-in names or scenario file paths
   * @param accounts accounts per built-in scenario; empty for each one's default
   */
  public static Scenario resolve(
      List<String> specs, Optional<Integer> accounts, long seed, KeyType keyType) {
    List<Scenario> scenarios = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String spec : specs) {
      if (BuiltInScenarios.isBuiltIn(spec)) {
        int count = accounts.orElse(BuiltInScenarios.defaultAccounts(spec));
        scenarios.add(BuiltInScenarios.create(spec, count, seed, keyType));
      } else if (Files.isRegularFile(Path.of(spec))) {
        try {
          scenarios.add(ScenarioFile.load(Path.of(spec), seed, keyType));
        } catch (ConfigException e) {
          e.problems().forEach(p -> problems.add(spec + ": " + p));
        }
      } else {
        problems.add(
            "scenario '"
                + spec
                + "' is neither built in ("
                + String.join(", ", BuiltInScenarios.NAMES)
                + ") nor a readable file");
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    try {
      return Scenario.combine(scenarios);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(List.of(e.getMessage()));
    }
  }
}
