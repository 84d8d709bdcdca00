package io.pmaccountstream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw configuration values merged from three sources, lowest precedence first: a properties file,
 * environment variables, and command-line flags. Typed reading and validation is {@link
 * ConfigReader}'s.
 *
 * <p>Environment names follow Confluent's Docker images ({@code KAFKA_SASL_JAAS_CONFIG}): {@code
 * PMAS_} + the key in upper case with {@code .} as {@code _}, {@code _} as {@code __} and {@code -}
 * as {@code ___}, so {@code binance.base.url} is {@code PMAS_BINANCE_BASE_URL} and {@code
 * kafka.sasl.jaas.config} is {@code PMAS_KAFKA_SASL_JAAS_CONFIG}, distinct from {@code
 * kafka.sasl_jaas.config} ({@code PMAS_KAFKA_SASL__JAAS_CONFIG}). For every {@linkplain
 * #isEncodable encodable} key the name decodes back to the key ({@link #keyOf}), which is what lets
 * pass-through keys ({@code kafka.*}) come from the environment too. A key with upper-case letters
 * or two separators in a row has no environment name that decodes to it: set it in the file or with
 * a flag.
 */
public final class Settings {

  public static final String ENV_PREFIX = "PMAS_";

  private final Map<String, String> fileValues;
  private final Map<String, String> env;
  private final Map<String, String> flags;

  private Settings(
      Map<String, String> fileValues, Map<String, String> env, Map<String, String> flags) {
    this.fileValues = Map.copyOf(fileValues);
    this.env = Map.copyOf(env);
    this.flags = Map.copyOf(flags);
  }

  /** Settings from an optional properties file, the given environment and flag values. */
  public static Settings load(
      Optional<Path> file, Map<String, String> env, Map<String, String> flags) {
    Map<String, String> fromFile = new HashMap<>();
    if (file.isPresent()) {
      Path path = file.get();
      Properties properties = new Properties();
      try (Reader reader = Files.newBufferedReader(path)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new ConfigException(
            List.of("cannot read config file " + path + ": " + e.getMessage()));
      }
      properties
          .stringPropertyNames()
          .forEach(k -> fromFile.put(k.trim(), properties.getProperty(k).trim()));
    }
    Map<String, String> nonBlankFlags = new HashMap<>();
    flags.forEach(
        (k, v) -> {
          if (v != null) {
            nonBlankFlags.put(k, v);
          }
        });
    return new Settings(fromFile, env, nonBlankFlags);
  }

  /** Settings from flags only (tests, in-process use). */
  public static Settings ofFlags(Map<String, String> flags) {
    return load(Optional.empty(), Map.of(), flags);
  }

  /**
   * Lower-case letters and digits in runs, separated by exactly one {@code .}, {@code _} or {@code
   * -}: every key whose environment name {@link #keyOf} decodes back to it.
   */
  private static final Pattern ENCODABLE_KEY = Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*");

  /** The encoded form of an encodable key: runs of 1 to 3 underscores between [A-Z0-9] runs. */
  private static final Pattern DECODABLE_NAME = Pattern.compile("[A-Z0-9]+(_{1,3}[A-Z0-9]+)*");

  private static final Pattern SEPARATOR_RUN = Pattern.compile("_+");

  /** The environment variable of a key: see the class comment. */
  public static String envName(String key) {
    StringBuilder name = new StringBuilder(ENV_PREFIX);
    for (char c : key.toCharArray()) {
      switch (c) {
        case '.' -> name.append('_');
        case '_' -> name.append("__");
        case '-' -> name.append("___");
        default -> name.append(Character.toUpperCase(c));
      }
    }
    return name.toString();
  }

  /** Whether {@code key} → {@link #envName} → {@link #keyOf} gives {@code key} back. */
  public static boolean isEncodable(String key) {
    return ENCODABLE_KEY.matcher(key).matches();
  }

  /**
   * The key an environment variable stands for, when it is {@code PMAS_} + an encoded key; empty
   * for any other name (no prefix, lower case, four underscores in a row, a leading or trailing
   * underscore).
   */
  public static Optional<String> keyOf(String envName) {
    if (!envName.startsWith(ENV_PREFIX)) {
      return Optional.empty();
    }
    String encoded = envName.substring(ENV_PREFIX.length());
    if (!DECODABLE_NAME.matcher(encoded).matches()) {
      return Optional.empty();
    }
    Matcher runs = SEPARATOR_RUN.matcher(encoded.toLowerCase(Locale.ROOT));
    StringBuilder key = new StringBuilder();
    while (runs.find()) {
      String separator =
          switch (runs.group().length()) {
            case 1 -> ".";
            case 2 -> "_";
            default -> "-";
          };
      runs.appendReplacement(key, separator);
    }
    runs.appendTail(key);
    return Optional.of(key.toString());
  }

  /** The value of a key from the source of highest precedence, if any source sets it. */
  public Optional<String> get(String key) {
    String value = flags.get(key);
    if (value == null) {
      value = env.get(envName(key));
    }
    if (value == null) {
      value = fileValues.get(key);
    }
    return Optional.ofNullable(value);
  }

  /**
   * Where a key's value comes from, for error messages: "flag", "environment PMAS_X" or "config
   * file".
   */
  public String sourceOf(String key) {
    if (flags.containsKey(key)) {
      return "flag";
    }
    if (env.containsKey(envName(key))) {
      return "environment " + envName(key);
    }
    if (fileValues.containsKey(key)) {
      return "config file";
    }
    return "default";
  }

  /**
   * Every key starting with {@code prefix}, from all sources with the usual precedence (file, then
   * environment, then flags), with the prefix removed. An environment variable counts when it
   * starts with the prefix's environment name ({@code PMAS_KAFKA_} for {@code kafka.}) and decodes
   * to a key ({@link #keyOf}).
   *
   * @throws ConfigException listing every variable under the prefix that is not an encoded key
   *     ({@code PMAS_KAFKA_SASL____JAAS}), rather than dropping it silently
   */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> found = new HashMap<>();
    fileValues.forEach((k, v) -> putIfPrefixed(found, prefix, k, v));
    String envPrefix = envName(prefix);
    List<String> undecodable = new ArrayList<>();
    new TreeMap<>(env)
        .forEach(
            (name, value) -> {
              if (name.startsWith(envPrefix) && name.length() > envPrefix.length()) {
                keyOf(name)
                    .ifPresentOrElse(
                        key -> putIfPrefixed(found, prefix, key, value),
                        () -> undecodable.add(name));
              }
            });
    if (!undecodable.isEmpty()) {
      throw new ConfigException(
          undecodable.stream()
              .map(
                  name ->
                      "environment variable "
                          + name
                          + " is not an encoded "
                          + prefix
                          + "* key: use _ for '.', __ for '_', ___ for '-' in upper case"
                          + " (PMAS_KAFKA_SASL_JAAS_CONFIG), or set the key in the config file")
              .toList());
    }
    flags.forEach((k, v) -> putIfPrefixed(found, prefix, k, v));
    return Map.copyOf(found);
  }

  private static void putIfPrefixed(
      Map<String, String> into, String prefix, String key, String value) {
    if (key.startsWith(prefix) && key.length() > prefix.length()) {
      into.put(key.substring(prefix.length()), value);
    }
  }

  /** A copy with more flag values (they win over everything already here). */
  public Settings withFlags(Map<String, String> more) {
    Map<String, String> merged = new HashMap<>(flags);
    more.forEach(
        (k, v) -> {
          if (v != null) {
            merged.put(k, v);
          }
        });
    return new Settings(fileValues, env, merged);
  }
}
