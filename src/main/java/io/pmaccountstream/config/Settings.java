package io.pmaccountstream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Raw configuration values merged from three sources, lowest precedence first: a properties file,
 * environment variables ({@code PMAS_} + the key in upper case with dots and dashes as underscores,
 * so {@code binance.base.url} is {@code PMAS_BINANCE_BASE_URL}), and command-line flags. Typed
 * reading and validation is {@link ConfigReader}'s.
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

  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
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
   * Every key starting with {@code prefix}, from all sources (file, then flags), with the prefix
   * removed. Environment variables cannot be enumerated by key, so pass-through keys come from the
   * file or flags only.
   */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> found = new HashMap<>();
    fileValues.forEach((k, v) -> putIfPrefixed(found, prefix, k, v));
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
