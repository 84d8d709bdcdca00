package io.pmaccountstream.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimeArgumentTest {

  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00.500Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @ParameterizedTest
  @CsvSource({
    "2026-11-24T10:00:00Z, 2026-11-24T10:00:00Z",
    "2026-11-24T10:00:00.123Z, 2026-11-24T10:00:00.123Z",
    "2026-11-24T11:00:00+01:00, 2026-11-24T10:00:00Z",
    "2026-11-24, 2026-11-24T00:00:00Z",
    "now, 2026-11-24T12:00:00.500Z",
    "NOW, 2026-11-24T12:00:00.500Z",
    "-2h, 2026-11-24T10:00:00.500Z",
    "-30m, 2026-11-24T11:30:00.500Z",
    "-90s, 2026-11-24T11:58:30.500Z",
    "-1d, 2026-11-23T12:00:00.500Z",
    "-1w, 2026-11-17T12:00:00.500Z",
    "-1.5h, 2026-11-24T10:30:00.500Z",
    "-PT15M, 2026-11-24T11:45:00.500Z"
  })
  void parsesInstantsDatesAndRelativeTimes(String text, String expected) {
    assertThat(TimeArgument.parse(text, CLOCK)).isEqualTo(Instant.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-11-24T10:00:00", "yesterday", "-2", "-2x", "-h", "24/11/2026", ""})
  void refusesAnythingElseNamingTheAcceptedForms(String text) {
    assertThatThrownBy(() -> TimeArgument.parse(text, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void aDateTimeWithoutZoneIsRefusedBecauseItWouldDependOnTheMachine() {
    assertThatThrownBy(() -> TimeArgument.parse("2026-11-24T10:00:00", CLOCK))
        .hasMessageContaining("ISO-8601 instant (2026-11-24T10:00:00Z)");
  }

  @Test
  void timesFromTheClockAreTruncatedToMillisecondsLikeRecordTimestamps() {
    Clock nanos = Clock.fixed(Instant.parse("2026-11-24T12:00:00.123456789Z"), ZoneOffset.UTC);

    assertThat(TimeArgument.parse("now", nanos)).isEqualTo("2026-11-24T12:00:00.123Z");
    assertThat(TimeArgument.parse("-1h", nanos)).isEqualTo("2026-11-24T11:00:00.123Z");
  }

  @Test
  void durationsMustBePositive() {
    assertThat(TimeArgument.duration("6h")).isEqualTo(Duration.ofHours(6));
    assertThat(TimeArgument.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThatThrownBy(() -> TimeArgument.duration("0s")).hasMessageContaining("positive");
    assertThatThrownBy(() -> TimeArgument.duration("PT-1H")).hasMessageContaining("positive");
  }

  /** README: only offsets (--from -2h) take a sign; a duration such as --warm-up 6h does not. */
  @ParameterizedTest
  @ValueSource(strings = {"+6h", "-6h", "+PT6H"})
  void durationsTakeNoSign(String text) {
    assertThatThrownBy(() -> TimeArgument.duration(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'" + text + "' is not a duration: takes no sign");
    assertThatThrownBy(() -> WarmUp.parse(text)).hasMessageContaining("takes no sign");
  }

  @Test
  void warmUpIsAllNoneOrADuration() {
    assertThat(WarmUp.parse("all").fromBeginning()).isTrue();
    assertThat(WarmUp.parse("none").startFor(NOW)).contains(NOW);
    assertThat(WarmUp.parse("6h").startFor(NOW)).contains(NOW.minus(Duration.ofHours(6)));
    assertThatThrownBy(() -> WarmUp.parse("forever")).hasMessageContaining("not a duration");
  }

  /** A bare 0 has no unit, which the grammar refuses everywhere; no warm-up is "none". */
  @ParameterizedTest
  @ValueSource(strings = {"0", "0s", "PT0S"})
  void warmUpRefusesZeroAndNamesNoneForNoWarmUp(String text) {
    assertThatThrownBy(() -> WarmUp.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'" + text + "' is not a duration: ");
    assertThat(WarmUp.parse("none").toString()).isEqualTo("none");
    assertThat(WarmUp.parse("NONE").startFor(NOW)).contains(NOW);
  }
}
