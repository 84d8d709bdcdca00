package io.pmaccountstream.config;

import java.math.BigDecimal;
import java.util.List;

/**
 * The uniMMR levels, {@code derive.levels}: declared and validated once, here, because two
 * components read them and must agree on which values are levels. The derivation emits
 * BREACHED/RECOVERED events at them; the poller's adaptive intervals measure each account's
 * distance to them (and may not import the derivation).
 */
public final class RiskLevels {

  /** Decimals of every level and uniMMR, as in the Avro schemas. */
  public static final int SCALE = 8;

  /** Digits of every decimal, as in the Avro schemas. */
  public static final int PRECISION = 38;

  /** At most this many levels (the derivation keeps breached levels as bits of an int). */
  public static final int MAX_LEVELS = 31;

  /** What a valid value is, as the configuration table and every message say it. */
  public static final String RULE =
      "a list of 1 to "
          + MAX_LEVELS
          + " distinct levels, each > 0 with at most "
          + SCALE
          + " decimals and "
          + (PRECISION - SCALE)
          + " integer digits";

  public static final ConfigField<List<BigDecimal>> FIELD =
      ConfigField.decimalList(
              "derive.levels",
              "uniMMR levels that emit BREACHED/RECOVERED events (Binance: 1.5 reminder, 1.2"
                  + " reduce-only, 1.05 liquidation)")
          .withDefault("1.5,1.2,1.05")
          .validate(RiskLevels::isValid, RULE);

  private RiskLevels() {}

  /** Whether {@code levels} satisfies {@link #RULE}. */
  public static boolean isValid(List<BigDecimal> levels) {
    if (levels.isEmpty() || levels.size() > MAX_LEVELS) {
      return false;
    }
    for (int i = 0; i < levels.size(); i++) {
      BigDecimal level = levels.get(i);
      if (level == null || level.signum() <= 0 || !fitsSchema(level)) {
        return false;
      }
      for (int j = 0; j < i; j++) {
        if (levels.get(j).compareTo(level) == 0) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean fitsSchema(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return stripped.scale() <= SCALE
        && stripped.precision() - stripped.scale() <= PRECISION - SCALE;
  }
}
