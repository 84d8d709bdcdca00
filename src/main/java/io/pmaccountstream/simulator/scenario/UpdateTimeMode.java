package io.pmaccountstream.simulator.scenario;

/** When an account's {@code updateTime} moves. */
public enum UpdateTimeMode {
  /** Whenever a served value changes (default). */
  ON_CHANGE,
  /**
   * Only when the status changes: uniMMR also moves with mark prices, so Binance may serve a new
   * uniMMR under an unchanged updateTime; this mode lets clients be tested against that.
   */
  ON_STATUS_CHANGE
}
