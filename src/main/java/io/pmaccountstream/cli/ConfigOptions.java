package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Options every long-running command shares: a properties file, and {@code --set key=value} for any
 * key. Precedence, lowest first: the file, environment variables ({@code PMAS_KEY_NAME}), flags.
 */
final class ConfigOptions {

  static final int EXIT_CONFIG = 2;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Properties file with configuration keys (see README: Configuration).")
  Path configFile;

  @Option(
      names = {"-s", "--set"},
      paramLabel = "KEY=VALUE",
      description = "Sets any configuration key; wins over the file and the environment.")
  Map<String, String> set = new HashMap<>();

  /** Settings from the file, the process environment and these flags plus the command's own. */
  Settings settings(Map<String, String> commandFlags) {
    Map<String, String> flags = new HashMap<>(set);
    commandFlags.forEach(
        (k, v) -> {
          if (v != null) {
            flags.put(k, v);
          }
        });
    return Settings.load(Optional.ofNullable(configFile), System.getenv(), flags);
  }

  static int reportConfigProblems(ConfigException e, PrintWriter err) {
    err.println(e.getMessage());
    err.flush();
    return EXIT_CONFIG;
  }
}
