package io.pmaccountstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "90s, PT1M30S",
    "1.5m, PT1M30S",
    "30min, PT30M",
    "2h, PT2H",
    "7d, PT168H",
    "2w, PT336H",
    "0s, PT0S",
    "5 s, PT5S",
    "5S, PT5S",
    "PT15M, PT15M",
    "pt1h30m, PT1H30M",
    "P1D, PT24H",
    "PT0.25S, PT0.25S"
  })
  void readsEveryUnitAndIso8601(String text, String expected) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "soon | expected a number and a unit (500ms, 90s, 30m, 2h, 7d, 2w) or ISO-8601",
        "'' | expected a number and a unit",
        "5 | needs a unit (ms, s, m, h, d or w): write 5s or 5ms",
        "5x | unknown unit 'x' (use ms, s, m, h, d or w)",
        "-5s | takes no sign",
        "+5s | takes no sign",
        "PT-1S | must not be negative",
        "0.5ms | finer than a millisecond",
        "PT0.0001S | finer than a millisecond",
        "9223372036854775808ms | too long: at most 106751991167d",
        "PT9223372036854775807S | too long",
        "P99999999999999999999D | too long",
        "1.s | expected a number and a unit",
        ".5s | expected a number and a unit"
      })
  void refusesWithAMessageSayingWhatIsWrong(String text, String message) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource({"-1500ms, -PT1.5S", "+3s, PT3S", "3s, PT3S", "PT-2S, PT-2S", "-PT2S, PT-2S"})
  void theSignedVariantReadsOffsets(String text, String expected) {
    assertThat(Durations.parseSigned(text)).isEqualTo(Duration.parse(expected));
    assertThat(Durations.isValidSigned(text)).isTrue();
  }

  @Test
  void theSignedVariantTakesOneSignOnly() {
    assertThatThrownBy(() -> Durations.parseSigned("--5s")).hasMessageContaining("one sign");
    assertThatThrownBy(() -> Durations.parseSigned("-")).hasMessageContaining("one sign");
    assertThat(Durations.isValidSigned("-5")).isFalse();
  }

  @Test
  void positiveRefusesZero() {
    assertThat(Durations.parsePositive("1ms")).isEqualTo(Duration.ofMillis(1));
    assertThatThrownBy(() -> Durations.parsePositive("0s")).hasMessage("must be positive");
    assertThatThrownBy(() -> Durations.parsePositive("PT0S")).hasMessage("must be positive");
    assertThatThrownBy(() -> Durations.parsePositive("PT-1S")).hasMessage("must be positive");
    assertThatThrownBy(() -> Durations.parsePositive("+1s"))
        .hasMessageStartingWith("takes no sign");
  }

  @Test
  void aConfigurationKeyNamesItselfAndTheGrammarsReason() {
    ConfigReader reader =
        new ConfigReader(Settings.ofFlags(Map.of("x.timeout", "5", "x.interval", "90s")));
    ConfigField<Duration> timeout = ConfigField.duration("x.timeout", "a timeout");
    ConfigField<Duration> interval = ConfigField.duration("x.interval", "an interval");

    assertThat(reader.read(timeout)).isEmpty();
    assertThat(reader.read(interval)).contains(Duration.ofSeconds(90));
    assertThat(reader.problems())
        .containsExactly(
            "x.timeout = '5' (from flag) is not a valid duration: needs a unit (ms, s, m, h, d or"
                + " w): write 5s or 5ms");
  }
}
