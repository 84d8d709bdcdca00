package io.pmaccountstream.simulator.scenario;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;

/**
 * Maps uniMMR to an account status: the status of the lowest level the uniMMR is below, otherwise
 * NORMAL. Defaults (Binance's Portfolio Margin Pro table; unconfirmed for classic PM): below 1.05
 * FORCE_LIQUIDATION, below 1.2 REDUCE_ONLY, below 1.5 MARGIN_CALL.
 */
public record StatusThresholds(List<Level> levels) {

  public static final String NORMAL = "NORMAL";

  /** Below {@code below}, the status is {@code status}. */
  public record Level(BigDecimal below, String status) {}

  public StatusThresholds {
    levels = levels.stream().sorted(Comparator.comparing(Level::below)).toList();
  }

  public static StatusThresholds defaults() {
    return new StatusThresholds(
        List.of(
            new Level(new BigDecimal("1.05"), "FORCE_LIQUIDATION"),
            new Level(new BigDecimal("1.2"), "REDUCE_ONLY"),
            new Level(new BigDecimal("1.5"), "MARGIN_CALL")));
  }

  public String statusOf(BigDecimal uniMmr) {
    for (Level level : levels) {
      if (uniMmr.compareTo(level.below()) < 0) {
        return level.status();
      }
    }
    return NORMAL;
  }
}
