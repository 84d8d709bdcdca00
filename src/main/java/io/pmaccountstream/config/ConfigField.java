package io.pmaccountstream.config;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key: name, type, default, documentation and validation, declared once by the
 * component that reads it (as debezium's {@code Field}). The README's configuration table is
 * generated from these declarations.
 *
 * @param <T> the parsed type
 */
public final class ConfigField<T> {

  private final String name;
  private final String type;
  private final String doc;
  private final Function<String, T> parser;
  private final String defaultValue;
  private final boolean required;
  private final boolean secret;
  private final Predicate<T> validator;
  private final String validation;

  private ConfigField(
      String name,
      String type,
      String doc,
      Function<String, T> parser,
      String defaultValue,
      boolean required,
      boolean secret,
      Predicate<T> validator,
      String validation) {
    this.name = Objects.requireNonNull(name);
    this.type = type;
    this.doc = doc;
    this.parser = parser;
    this.defaultValue = defaultValue;
    this.required = required;
    this.secret = secret;
    this.validator = validator;
    this.validation = validation;
  }

  private static <T> ConfigField<T> of(
      String name, String type, String doc, Function<String, T> parser) {
    return new ConfigField<>(name, type, doc, parser, null, false, false, v -> true, null);
  }

  public static ConfigField<String> string(String name, String doc) {
    return of(name, "string", doc, s -> s);
  }

  public static ConfigField<Integer> integer(String name, String doc) {
    return of(name, "int", doc, s -> Integer.parseInt(s.trim()));
  }

  public static ConfigField<Long> longValue(String name, String doc) {
    return of(name, "long", doc, s -> Long.parseLong(s.trim()));
  }

  public static ConfigField<Boolean> bool(String name, String doc) {
    return of(name, "boolean", doc, ConfigField::parseBoolean);
  }

  public static ConfigField<Double> doubleValue(String name, String doc) {
    return of(name, "number", doc, s -> Double.parseDouble(s.trim()));
  }

  public static ConfigField<BigDecimal> decimal(String name, String doc) {
    return of(name, "decimal", doc, s -> new BigDecimal(s.trim()));
  }

  /** A duration of zero or more in the project's one grammar ({@link Durations#parse}). */
  public static ConfigField<Duration> duration(String name, String doc) {
    return of(name, "duration", doc, Durations::parse);
  }

  public static ConfigField<URI> uri(String name, String doc) {
    return of(name, "url", doc, s -> URI.create(s.trim()));
  }

  public static ConfigField<Path> path(String name, String doc) {
    return of(name, "path", doc, s -> Path.of(s.trim()));
  }

  public static ConfigField<List<String>> list(String name, String doc) {
    return of(name, "list", doc, ConfigField::parseList);
  }

  public static ConfigField<List<BigDecimal>> decimalList(String name, String doc) {
    return of(
        name, "list of decimals", doc, s -> parseList(s).stream().map(BigDecimal::new).toList());
  }

  public static <E extends Enum<E>> ConfigField<E> enumeration(
      String name, Class<E> type, String doc) {
    // written as the docs and defaults write them (first-start, every-poll); either spelling parses
    String symbols =
        Arrays.toString(type.getEnumConstants())
            .toLowerCase(java.util.Locale.ROOT)
            .replace('_', '-');
    return of(
        name,
        "one of " + symbols,
        doc,
        s -> Enum.valueOf(type, s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_')));
  }

  /** A credential: never printed; the value is kept as a {@link Secret}. */
  public static ConfigField<Secret> secret(String name, String doc) {
    return new ConfigField<>(name, "secret", doc, Secret::of, null, false, true, v -> true, null);
  }

  public ConfigField<T> withDefault(String value) {
    return new ConfigField<>(
        name, type, doc, parser, value, required, secret, validator, validation);
  }

  public ConfigField<T> required() {
    return new ConfigField<>(
        name, type, doc, parser, defaultValue, true, secret, validator, validation);
  }

  /** Adds a check; {@code rule} describes what a valid value is ("between 1 and 60000"). */
  public ConfigField<T> validate(Predicate<T> check, String rule) {
    Predicate<T> combined = validator.and(check);
    String text = validation == null ? rule : validation + "; " + rule;
    return new ConfigField<>(
        name, type, doc, parser, defaultValue, required, secret, combined, text);
  }

  /**
   * The same declaration under another name (per-account keys such as {@code
   * account.<id>.api.key}).
   */
  public ConfigField<T> renamed(String newName) {
    return new ConfigField<>(
        newName, type, doc, parser, defaultValue, required, secret, validator, validation);
  }

  public String name() {
    return name;
  }

  public String type() {
    return type;
  }

  public String doc() {
    return doc;
  }

  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  /**
   * The default as a value, parsed as a configured one would be: the one source of a default that
   * code also needs (e.g. a config object's {@code defaults()}).
   *
   * @throws IllegalStateException for a field without a default
   */
  public T parsedDefault() {
    if (defaultValue == null) {
      throw new IllegalStateException(name + " has no default");
    }
    return parser.apply(defaultValue);
  }

  public boolean isRequired() {
    return required;
  }

  public boolean isSecret() {
    return secret;
  }

  public Optional<String> validation() {
    return Optional.ofNullable(validation);
  }

  T parse(String raw) {
    return parser.apply(raw);
  }

  boolean accepts(T value) {
    return validator.test(value);
  }

  private static Boolean parseBoolean(String raw) {
    String s = raw.trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("true") || s.equals("false")) {
      return Boolean.valueOf(s);
    }
    throw new IllegalArgumentException("expected true or false");
  }

  private static List<String> parseList(String raw) {
    return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
