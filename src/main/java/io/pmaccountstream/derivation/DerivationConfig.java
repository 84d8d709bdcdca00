package io.pmaccountstream.derivation;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.RiskLevels;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The uniMMR levels and the recovery hysteresis of the derivation, and how far ahead of its
 * observation a snapshot's {@code updateTime} may be.
 *
 * <p>A level is BREACHED when uniMMR falls below it and RECOVERED when uniMMR comes back to {@code
 * level × (1 + hysteresis)} or above. Levels are kept most lenient first (highest level first) and
 * at the schema's scale of 8 decimals, so {@code 1.2} and {@code 1.20} are the same level.
 *
 * @param levels distinct positive levels, highest first, each with scale 8
 * @param hysteresis in [0, 1)
 * @param maxUpdateTimeLead a snapshot whose {@code updateTime} is more than this after its {@code
 *     observedAt} is rejected (see {@link AccountFold}): accepted, it would make every later
 *     snapshot of the account stale until the wall clock caught up
 */
public record DerivationConfig(
    List<BigDecimal> levels, BigDecimal hysteresis, Duration maxUpdateTimeLead) {

  /** Decimals of every level and uniMMR, as in the Avro schemas ({@link RiskLevels#SCALE}). */
  public static final int SCALE = RiskLevels.SCALE;

  /** Digits of every decimal, as in the Avro schemas ({@link RiskLevels#PRECISION}). */
  public static final int PRECISION = RiskLevels.PRECISION;

  /** At most this many levels ({@link RiskLevels#MAX_LEVELS}). */
  public static final int MAX_LEVELS = RiskLevels.MAX_LEVELS;

  private static final String HYSTERESIS_RULE = ">= 0 and < 1";

  /** {@code derive.levels}, declared once in {@link RiskLevels} (the poller reads it too). */
  public static final ConfigField<List<BigDecimal>> LEVELS = RiskLevels.FIELD;

  public static final ConfigField<BigDecimal> HYSTERESIS =
      ConfigField.decimal(
              "derive.hysteresis",
              "A breached level recovers when uniMMR >= level x (1 + hysteresis); 0.02 is 2 %")
          .withDefault("0.02")
          .validate(DerivationConfig::validHysteresis, HYSTERESIS_RULE);

  public static final ConfigField<Duration> MAX_UPDATE_TIME_LEAD =
      ConfigField.duration(
              "derive.max.update.time.lead",
              "A snapshot whose updateTime is more than this after its observedAt is dead-lettered"
                  + " instead of derived (live and in replay)")
          .withDefault("5m")
          .validate(d -> !d.isNegative(), "zero or positive");

  /** The default of {@link #MAX_UPDATE_TIME_LEAD}. */
  public static final Duration DEFAULT_MAX_UPDATE_TIME_LEAD = MAX_UPDATE_TIME_LEAD.parsedDefault();

  public DerivationConfig {
    Objects.requireNonNull(levels, "levels");
    Objects.requireNonNull(hysteresis, "hysteresis");
    Objects.requireNonNull(maxUpdateTimeLead, "maxUpdateTimeLead");
    if (maxUpdateTimeLead.isNegative()) {
      throw new IllegalArgumentException(
          "maxUpdateTimeLead " + maxUpdateTimeLead + " must not be negative");
    }
    if (!RiskLevels.isValid(levels)) {
      throw new IllegalArgumentException("levels " + levels + " must be " + RiskLevels.RULE);
    }
    if (!validHysteresis(hysteresis)) {
      throw new IllegalArgumentException(
          "hysteresis " + hysteresis + " must be " + HYSTERESIS_RULE);
    }
    List<BigDecimal> normalized = new ArrayList<>(levels.size());
    levels.forEach(level -> normalized.add(level.setScale(SCALE, RoundingMode.UNNECESSARY)));
    normalized.sort(Comparator.reverseOrder());
    levels = List.copyOf(normalized);
  }

  /** These levels and hysteresis with the default {@link #maxUpdateTimeLead} (what-if runs). */
  public DerivationConfig(List<BigDecimal> levels, BigDecimal hysteresis) {
    this(levels, hysteresis, DEFAULT_MAX_UPDATE_TIME_LEAD);
  }

  /**
   * The fields' defaults: levels 1.5, 1.2, 1.05, a hysteresis of 2 % and an update-time lead of 5
   * minutes.
   */
  public static DerivationConfig defaults() {
    return new DerivationConfig(
        LEVELS.parsedDefault(), HYSTERESIS.parsedDefault(), DEFAULT_MAX_UPDATE_TIME_LEAD);
  }

  /**
   * Reads {@code derive.levels}, {@code derive.hysteresis} and {@code derive.max.update.time.lead};
   * a fully valid value, or a {@link ConfigException} listing every problem the reader has found
   * (also kept in the reader, so a caller reading it with {@link ConfigReader#component} goes on).
   */
  public static DerivationConfig from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    List<BigDecimal> levels = reader.get(LEVELS);
    BigDecimal hysteresis = reader.get(HYSTERESIS);
    Duration lead = reader.get(MAX_UPDATE_TIME_LEAD);
    checkpoint.throwIfNewProblems();
    return new DerivationConfig(levels, hysteresis, lead);
  }

  public static List<ConfigField<?>> fields() {
    return List.of(LEVELS, HYSTERESIS, MAX_UPDATE_TIME_LEAD);
  }

  /** The uniMMR at or above which a breached {@code level} recovers: level × (1 + hysteresis). */
  public BigDecimal recoveryThreshold(BigDecimal level) {
    return level.multiply(BigDecimal.ONE.add(hysteresis));
  }

  private static boolean validHysteresis(BigDecimal hysteresis) {
    return hysteresis.signum() >= 0 && hysteresis.compareTo(BigDecimal.ONE) < 0;
  }
}
