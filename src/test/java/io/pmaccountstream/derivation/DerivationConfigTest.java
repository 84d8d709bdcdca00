package io.pmaccountstream.derivation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DerivationConfigTest {

  private static DerivationConfig read(Map<String, String> flags) {
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));
    DerivationConfig config = DerivationConfig.from(reader);
    reader.throwIfProblems();
    return config;
  }

  private static List<BigDecimal> decimals(String... values) {
    return java.util.Arrays.stream(values).map(BigDecimal::new).toList();
  }

  @Test
  void defaultsAreBinanceLevelsWithTwoPercentHysteresis() {
    DerivationConfig config = read(Map.of());

    assertThat(config).isEqualTo(DerivationConfig.defaults());
    assertThat(config.levels())
        .containsExactlyElementsOf(decimals("1.50000000", "1.20000000", "1.05000000"));
    assertThat(config.hysteresis()).isEqualByComparingTo("0.02");
  }

  @Test
  void readsLevelsAndHysteresisFromSettings() {
    DerivationConfig config =
        read(Map.of("derive.levels", "1.1, 1.3", "derive.hysteresis", "0.01"));

    assertThat(config.levels()).containsExactlyElementsOf(decimals("1.30000000", "1.10000000"));
    assertThat(config.hysteresis()).isEqualByComparingTo("0.01");
  }

  @Test
  void sortsLevelsHighestFirstAtScaleEight() {
    DerivationConfig config = new DerivationConfig(decimals("1.05", "1.5", "1.2"), BigDecimal.ZERO);

    assertThat(config.levels())
        .containsExactlyElementsOf(decimals("1.50000000", "1.20000000", "1.05000000"));
  }

  @Test
  void recoveryThresholdIsLevelTimesOnePlusHysteresis() {
    assertThat(DerivationConfig.defaults().recoveryThreshold(new BigDecimal("1.2")))
        .isEqualByComparingTo("1.224");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1.2", "1.2,1.20", "1.000000001", "abc", "1.2,,x"})
  void rejectsInvalidLevels(String levels) {
    assertThatThrownBy(() -> read(Map.of("derive.levels", levels)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("derive.levels");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "-0.01", "1.5", "x"})
  void rejectsHysteresisOutsideZeroToOne(String hysteresis) {
    assertThatThrownBy(() -> read(Map.of("derive.hysteresis", hysteresis)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("derive.hysteresis");
  }

  @Test
  void acceptsZeroHysteresis() {
    assertThat(read(Map.of("derive.hysteresis", "0")).hysteresis()).isEqualByComparingTo("0");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> read(Map.of("derive.levels", "1.2,1.2", "derive.hysteresis", "2")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(2)
                    .anyMatch(p -> p.contains("derive.levels"))
                    .anyMatch(p -> p.contains("derive.hysteresis")));
  }

  @Test
  void rejectsAnEmptyLevelList() {
    assertThatThrownBy(() -> new DerivationConfig(List.of(), BigDecimal.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("levels");
  }

  @Test
  void rejectsMoreLevelsThanTheDerivationTracks() {
    List<BigDecimal> many =
        java.util.stream.IntStream.rangeClosed(1, DerivationConfig.MAX_LEVELS + 1)
            .mapToObj(BigDecimal::valueOf)
            .toList();

    assertThatThrownBy(() -> new DerivationConfig(many, BigDecimal.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fieldsListsEveryKey() {
    assertThat(DerivationConfig.fields())
        .extracting(f -> f.name())
        .containsExactly("derive.levels", "derive.hysteresis", "derive.max.update.time.lead");
  }
}
