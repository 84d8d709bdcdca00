package io.pmaccountstream.binance.userdata;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One event of an account's Portfolio Margin user-data stream ({@code
 * wss://fstream.binance.com/pm/ws/<listenKey>}), parsed under the same input policy as the REST
 * answers (decimals as JSON strings, at most 8 places).
 */
public sealed interface UserDataEvent {

  /** The account (its configured id, never the key) whose stream carried the event. */
  String accountId();

  /** {@code E}: when Binance generated the event. */
  Instant eventTime();

  /**
   * {@code riskLevelChange}: Binance's guidance that the account's risk level changed. The
   * authoritative state still comes from {@code GET /papi/v1/account}.
   *
   * @param riskLevel {@code s}: MARGIN_CALL, SUPPLY_MARGIN, REDUCE_ONLY, FORCE_LIQUIDATION as sent
   * @param uniMmr {@code u}
   * @param accountEquity {@code eq}, in USD
   * @param actualEquity {@code ae}, in USD
   * @param maintMargin {@code m}, in USD
   */
  record RiskLevelChange(
      String accountId,
      Instant eventTime,
      String riskLevel,
      BigDecimal uniMmr,
      BigDecimal accountEquity,
      BigDecimal actualEquity,
      BigDecimal maintMargin)
      implements UserDataEvent {}

  /**
   * Any other event of the stream (balance, position, order updates, {@code listenKeyExpired}): it
   * tells that the account changed, nothing more is read from it.
   *
   * @param eventType {@code e} as sent
   */
  record AccountChanged(String accountId, Instant eventTime, String eventType)
      implements UserDataEvent {}
}
