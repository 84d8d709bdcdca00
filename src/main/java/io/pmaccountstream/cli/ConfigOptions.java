package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Durations;
import io.pmaccountstream.config.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * Options every command that reads configuration shares: a properties file, and {@code --set
 * key=value} for any key. Precedence, lowest first: the file, environment variables ({@code
 * PMAS_KEY_NAME}), {@code --set}, the command's own flags.
 *
 * <p>Configuration problems are reported one way for every command: {@link #read} throws one {@link
 * ConfigException} listing them all, and {@link Main}'s handler prints it ({@link #report}) and
 * exits with {@value #EXIT_CONFIG}.
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

  /** The environment variables the settings read: the process's; tests set their own. */
  Map<String, String> environment = System.getenv();

  /** Settings from the file, the environment, {@code --set} and the command's flags. */
  Settings settings(Map<String, String> commandFlags) {
    return settings(environment, commandFlags);
  }

  /** As {@link #settings(Map)} with the given environment (tests). */
  Settings settings(Map<String, String> environment, Map<String, String> commandFlags) {
    Map<String, String> flags = new HashMap<>(set);
    commandFlags.forEach(
        (k, v) -> {
          if (v != null) {
            flags.put(k, v);
          }
        });
    return Settings.load(Optional.ofNullable(configFile), environment, flags);
  }

  /** {@link #read(Settings, Function)} from {@link #settings(Map) these settings}. */
  <T> T read(Map<String, String> commandFlags, Function<ConfigReader, T> components) {
    return read(settings(commandFlags), components);
  }

  /** {@link ConfigReader#validated}: every problem in one {@link ConfigException}. */
  static <T> T read(Settings settings, Function<ConfigReader, T> components) {
    return ConfigReader.validated(settings, components);
  }

  /**
   * A command's own positive duration option ({@code --duration 90s}) in the project's one grammar
   * ({@link Durations#parsePositive}); empty when it is not one, with its problem recorded beside
   * the configuration's so that all are listed at once.
   */
  static Optional<Duration> positiveDuration(ConfigReader reader, String option, String text) {
    try {
      return Optional.of(Durations.parsePositive(text));
    } catch (IllegalArgumentException e) {
      reader.problem(option + " '" + text + "' is not a valid duration: " + e.getMessage());
      return Optional.empty();
    }
  }

  /** Prints every problem; the exit code of a configuration error. */
  static int report(ConfigException e, PrintWriter err) {
    err.println(e.getMessage());
    err.flush();
    return EXIT_CONFIG;
  }
}
