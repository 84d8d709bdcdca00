package io.pmaccountstream.simulator.scenario;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Binance serves every amount as a decimal string with 8 decimals; so does the simulator. */
public final class Decimals {

  public static final int SCALE = 8;

  private Decimals() {}

  /** The value at scale 8 (half-even when it has more decimals). */
  public static BigDecimal scaled(BigDecimal value) {
    return value.setScale(SCALE, RoundingMode.HALF_EVEN);
  }

  public static BigDecimal of(String value) {
    return scaled(new BigDecimal(value.trim()));
  }

  public static BigDecimal of(double value) {
    return scaled(BigDecimal.valueOf(value));
  }

  /** As served: plain notation, exactly 8 decimals ({@code "1.50000000"}). */
  public static String format(BigDecimal value) {
    return scaled(value).toPlainString();
  }
}
