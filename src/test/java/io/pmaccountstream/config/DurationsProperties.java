package io.pmaccountstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** Properties of the one duration grammar every caller (config, scenarios, replay) uses. */
class DurationsProperties {

  private static final Map<String, Long> UNIT_MILLIS =
      Map.of(
          "ms", 1L,
          "s", 1_000L,
          "m", 60_000L,
          "min", 60_000L,
          "h", 3_600_000L,
          "d", 86_400_000L,
          "w", 604_800_000L);

  @Provide
  Arbitrary<String> units() {
    return Arbitraries.of(UNIT_MILLIS.keySet());
  }

  /** Text in the grammar: a whole or decimal number and a unit, or ISO-8601. */
  @Provide
  Arbitrary<String> valid() {
    Arbitrary<String> withUnit =
        Combinators.combine(Arbitraries.longs().between(0, 1_000_000_000L), units())
            .as((n, unit) -> n + unit);
    Arbitrary<String> iso =
        Arbitraries.longs()
            .between(0, 1_000_000_000_000L)
            .map(ms -> Duration.ofMillis(ms).toString());
    return Arbitraries.oneOf(withUnit, iso);
  }

  @Property
  void aWholeNumberTimesItsUnitIsExact(
      @ForAll @LongRange(min = 0, max = 10_000_000_000L) long amount,
      @ForAll("units") String unit) {
    assertThat(Durations.parse(amount + unit))
        .isEqualTo(Duration.ofMillis(amount * UNIT_MILLIS.get(unit)));
  }

  @Property
  void everyWholeMillisecondDurationReadsBackFromItsIsoFormAndItsMilliseconds(
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long millis) {
    Duration duration = Duration.ofMillis(millis);

    assertThat(Durations.parse(duration.toString())).isEqualTo(duration);
    assertThat(Durations.parse(millis + "ms")).isEqualTo(duration);
  }

  @Property
  void aDecimalAmountIsReadExactlyOrRefusedNeverRounded(
      @ForAll @LongRange(min = 0, max = 1_000_000_000L) long unscaled,
      @ForAll("scales") int scale,
      @ForAll("units") String unit) {
    BigDecimal amount = BigDecimal.valueOf(unscaled, scale);
    BigDecimal millis = amount.multiply(BigDecimal.valueOf(UNIT_MILLIS.get(unit)));
    String text = amount.toPlainString() + unit;

    if (millis.stripTrailingZeros().scale() <= 0) {
      assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis.longValueExact()));
    } else {
      assertThatThrownBy(() -> Durations.parse(text))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("finer than a millisecond");
    }
  }

  @Provide
  Arbitrary<Integer> scales() {
    return Arbitraries.integers().between(0, 6);
  }

  @Property
  void theSignedVariantIsTheSameGrammarWithASign(@ForAll("valid") String text) {
    Duration unsigned = Durations.parse(text);

    assertThat(Durations.parseSigned(text)).isEqualTo(unsigned);
    assertThat(Durations.parseSigned("+" + text)).isEqualTo(unsigned);
    assertThat(Durations.parseSigned("-" + text)).isEqualTo(unsigned.negated());
  }

  @Property
  void theUnsignedGrammarRefusesEverySign(@ForAll("valid") String text) {
    assertThatThrownBy(() -> Durations.parse("-" + text))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse("+" + text))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Property
  void caseAndSurroundingSpaceDoNotMatter(@ForAll("valid") String text) {
    Duration expected = Durations.parse(text);

    assertThat(Durations.parse(text.toUpperCase(Locale.ROOT))).isEqualTo(expected);
    assertThat(Durations.parse(text.toLowerCase(Locale.ROOT))).isEqualTo(expected);
    assertThat(Durations.parse("  " + text + "\t")).isEqualTo(expected);
  }

  @Property
  void aBareNumberIsRefusedRatherThanGuessedAsSecondsOrMilliseconds(
      @ForAll @LongRange(min = 0) long amount) {
    assertThatThrownBy(() -> Durations.parse(Long.toString(amount)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a unit");
  }

  @Property
  void beyondLongMillisecondsIsRefusedAsTooLongNotWrapped(
      @ForAll @LongRange(min = 1, max = 1_000_000L) long excess, @ForAll("units") String unit) {
    BigDecimal amount =
        BigDecimal.valueOf(Long.MAX_VALUE)
            .divideToIntegralValue(BigDecimal.valueOf(UNIT_MILLIS.get(unit)))
            .add(BigDecimal.valueOf(excess));

    assertThatThrownBy(() -> Durations.parse(amount.toPlainString() + unit))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
  }

  @Property
  void anyOtherTextFailsWithAnIllegalArgumentExceptionOnly(@ForAll String text) {
    try {
      Duration parsed = Durations.parseSigned(text);
      assertThat(parsed.getNano() % 1_000_000).isZero();
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }
}
