package io.pmaccountstream.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads typed values from {@link Settings}, collecting every problem instead of stopping at the
 * first; a component reads all its fields, then calls {@link #throwIfProblems()} so start-up fails
 * once, listing everything wrong.
 */
public final class ConfigReader {

  private final Settings settings;
  private final List<String> problems = new ArrayList<>();

  public ConfigReader(Settings settings) {
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  /**
   * The value, or the default; null (and a recorded problem) when required and missing or invalid.
   */
  public <T> T get(ConfigField<T> field) {
    return read(field).orElse(null);
  }

  /**
   * The value or the default if any; empty when unset (recorded as a problem only if the field is
   * required).
   */
  public <T> Optional<T> read(ConfigField<T> field) {
    Optional<String> raw = settings.get(field.name()).filter(s -> !s.isBlank());
    String source = settings.sourceOf(field.name());
    if (raw.isEmpty()) {
      raw = field.defaultValue();
      source = "default";
    }
    if (raw.isEmpty()) {
      if (field.isRequired()) {
        problems.add(
            field.name()
                + " is required ("
                + field.doc()
                + "); set it with the flag, "
                + Settings.envName(field.name())
                + " or the config file");
      }
      return Optional.empty();
    }
    T value;
    try {
      value = field.parse(raw.get());
    } catch (RuntimeException e) {
      String shown = field.isSecret() ? "[hidden]" : "'" + raw.get() + "'";
      problems.add(
          field.name()
              + " = "
              + shown
              + " (from "
              + source
              + ") is not a valid "
              + field.type()
              + ": "
              + e.getMessage());
      return Optional.empty();
    }
    if (!field.accepts(value)) {
      String shown = field.isSecret() ? "[hidden]" : "'" + raw.get() + "'";
      problems.add(
          field.name()
              + " = "
              + shown
              + " (from "
              + source
              + ") is invalid: must be "
              + field.validation().orElse("valid"));
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /** Records a problem that no single field can see (a combination of values, a missing file). */
  public void problem(String message) {
    problems.add(message);
  }

  /**
   * Records a problem when {@code longer}'s value is shorter than {@code shorter}'s (or not longer,
   * when {@code strictly}): a backoff's maximum and its first step, an interval's max and min, a
   * session and its heartbeat. Skipped when either value is missing (its own problem is recorded).
   */
  public void requireNotShorter(
      ConfigField<Duration> longer,
      Duration longerValue,
      ConfigField<Duration> shorter,
      Duration shorterValue,
      boolean strictly) {
    if (longerValue == null || shorterValue == null) {
      return;
    }
    int order = longerValue.compareTo(shorterValue);
    if (order < 0 || (strictly && order == 0)) {
      problem(
          longer.name()
              + " ("
              + longerValue
              + ") must "
              + (strictly ? "be longer than " : "not be shorter than ")
              + shorter.name()
              + " ("
              + shorterValue
              + ")");
    }
  }

  public List<String> problems() {
    return List.copyOf(problems);
  }

  /**
   * How many problems are recorded now: a component's {@code from} checks against it at its end.
   */
  public Checkpoint checkpoint() {
    return new Checkpoint(problems.size());
  }

  /** The problems recorded when a component started reading. */
  public final class Checkpoint {

    private final int known;

    private Checkpoint(int known) {
      this.known = known;
    }

    /** Whether a problem was recorded since. */
    public boolean hasNewProblems() {
      return problems.size() > known;
    }

    /**
     * Throws a {@link ConfigException} listing every problem recorded so far when one was recorded
     * since: the component is then not built, and a caller collecting every component's problems
     * ({@link #component}) goes on.
     */
    public void throwIfNewProblems() {
      if (hasNewProblems()) {
        throw new ConfigException(problems);
      }
    }
  }

  /**
   * Reads one component that validates itself (its {@code from(reader)} returns a fully valid value
   * or throws a {@link ConfigException}): empty, with its problems recorded here, when it throws,
   * so a command reading several components still lists every problem of all of them at once.
   *
   * @throws NullPointerException when {@code from} answers null, which no component may do
   */
  public <T> Optional<T> component(Function<ConfigReader, T> from) {
    T value;
    try {
      value = from.apply(this);
    } catch (ConfigException e) {
      e.problems().stream().filter(p -> !problems.contains(p)).forEach(problems::add);
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /**
   * Reads everything a command needs from {@code settings}: the fully validated value, or one
   * {@link ConfigException} listing every problem {@code read} found (fields, components, and the
   * command's own checks recorded with {@link #problem}). {@code read} should check {@link
   * #problems()} (or call {@link #throwIfProblems()}) before building a value from parts that may
   * be missing.
   */
  public static <T> T validated(Settings settings, Function<ConfigReader, T> read) {
    ConfigReader reader = new ConfigReader(settings);
    Optional<T> value = reader.component(read);
    reader.throwIfProblems();
    return value.orElseThrow();
  }

  public void throwIfProblems() {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }
}
