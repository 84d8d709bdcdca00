package io.pmaccountstream.binance;

import java.util.Locale;

/**
 * {@code accountStatus} of a Portfolio Margin account, in Binance's order of severity. A value
 * Binance adds later maps to {@link #UNKNOWN}; {@link AccountInfo#statusRaw()} keeps the text.
 */
public enum PmAccountStatus {
  NORMAL,
  MARGIN_CALL,
  SUPPLY_MARGIN,
  REDUCE_ONLY,
  ACTIVE_LIQUIDATION,
  FORCE_LIQUIDATION,
  BANKRUPTED,
  UNKNOWN;

  /** The status for Binance's text, {@link #UNKNOWN} for anything it does not (yet) name. */
  public static PmAccountStatus fromWire(String raw) {
    String name = raw.strip().toUpperCase(Locale.ROOT);
    for (PmAccountStatus status : values()) {
      if (status != UNKNOWN && status.name().equals(name)) {
        return status;
      }
    }
    return UNKNOWN;
  }
}
