package io.pmaccountstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {

  private static final ConfigField<Duration> TIMEOUT =
      ConfigField.duration("a.timeout", "a timeout").required();
  private static final ConfigField<Integer> SIZE =
      ConfigField.integer("b.size", "a size").validate(n -> n > 0, "positive");

  /** A component that validates itself: a value or a ConfigException, never a half-read value. */
  record Timeout(Duration value) {
    static Timeout from(ConfigReader reader) {
      Duration value = reader.get(TIMEOUT);
      reader.throwIfProblems();
      return new Timeout(value);
    }
  }

  record Size(int value) {
    static Size from(ConfigReader reader) {
      Integer value = reader.get(SIZE);
      if (value == null) {
        throw new ConfigException(List.of("b.size must be set"));
      }
      return new Size(value);
    }
  }

  @Test
  void validatedReturnsTheValueWhenEveryPartIsValid() {
    Settings settings = Settings.ofFlags(Map.of("a.timeout", "2s", "b.size", "3"));

    Size size =
        ConfigReader.validated(
            settings,
            reader -> {
              reader.component(Timeout::from);
              return reader.component(Size::from).orElseThrow();
            });

    assertThat(size).isEqualTo(new Size(3));
  }

  @Test
  void componentsThatThrowAreRecordedOnceAndTheNextComponentIsStillRead() {
    Settings settings = Settings.ofFlags(Map.of("b.size", "-1"));

    assertThatThrownBy(
            () ->
                ConfigReader.validated(
                    settings,
                    reader -> {
                      reader.component(Timeout::from);
                      reader.component(Size::from);
                      reader.problem("--out: the extension must be .csv");
                      return "never returned";
                    }))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "a.timeout is required (a timeout); set it with the flag, PMAS_A_TIMEOUT"
                            + " or the config file",
                        "b.size = '-1' (from flag) is invalid: must be positive",
                        "b.size must be set",
                        "--out: the extension must be .csv"))
        .hasMessageStartingWith("Invalid configuration (4 problems):");
  }

  @Test
  void aReadThatThrowsItselfIsListedWithWhatWasRecordedBefore() {
    Settings settings = Settings.ofFlags(Map.of());

    assertThatThrownBy(
            () ->
                ConfigReader.validated(
                    settings,
                    reader -> {
                      reader.problem("first");
                      throw new ConfigException(List.of("second"));
                    }))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.problems()).containsExactly("first", "second"));
  }

  @Test
  void aComponentMayNotAnswerNullForTheCallerToCheck() {
    ConfigReader reader = new ConfigReader(Settings.ofFlags(Map.of()));

    assertThatThrownBy(() -> reader.component(r -> null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aProblemTwoComponentsRecordIsListedOnce() {
    Settings settings = Settings.ofFlags(Map.of("b.size", "0"));

    assertThatThrownBy(
            () ->
                ConfigReader.validated(
                    settings,
                    reader -> {
                      reader.read(SIZE);
                      reader.read(SIZE);
                      reader.throwIfProblems();
                      return "never returned";
                    }))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly("b.size = '0' (from flag) is invalid: must be positive"))
        .hasMessageStartingWith("Invalid configuration (1 problem):");
  }

  @Test
  void aConfigExceptionAlwaysNamesAProblem() {
    assertThatThrownBy(() -> new ConfigException(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new ConfigException(List.of("x")).getMessage())
        .isEqualTo("Invalid configuration (1 problem):" + System.lineSeparator() + "  - x");
  }

  @Test
  void anOrderOfTwoDurationsIsOneProblemNamingBothAndNoneWhenEitherIsMissing() {
    ConfigField<Duration> first = ConfigField.duration("x.initial", "first step");
    ConfigField<Duration> cap = ConfigField.duration("x.max", "cap");
    ConfigReader reader = new ConfigReader(Settings.ofFlags(Map.of()));

    reader.requireNotShorter(cap, Duration.ofSeconds(5), first, Duration.ofSeconds(5), false);
    reader.requireNotShorter(cap, null, first, Duration.ofSeconds(5), true);
    assertThat(reader.problems()).isEmpty();

    reader.requireNotShorter(cap, Duration.ofSeconds(4), first, Duration.ofSeconds(5), false);
    reader.requireNotShorter(cap, Duration.ofSeconds(5), first, Duration.ofSeconds(5), true);
    assertThat(reader.problems())
        .containsExactly(
            "x.max (PT4S) must not be shorter than x.initial (PT5S)",
            "x.max (PT5S) must be longer than x.initial (PT5S)");
  }

  @Test
  void aCheckpointThrowsOnlyForProblemsRecordedSinceButListsEveryProblem() {
    ConfigReader reader = new ConfigReader(Settings.ofFlags(Map.of()));
    reader.problem("an earlier component's problem");
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();

    checkpoint.throwIfNewProblems();
    assertThat(checkpoint.hasNewProblems()).isFalse();

    reader.problem("this component's problem");
    assertThat(checkpoint.hasNewProblems()).isTrue();
    assertThatThrownBy(checkpoint::throwIfNewProblems)
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly("an earlier component's problem", "this component's problem"));
  }
}
