package io.pmaccountstream.simulator;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Set;

/**
 * The frames of Binance's Portfolio Margin user-data stream as the simulator pushes them, in
 * Binance's documented shapes: {@code riskLevelChange} ({@code e}, {@code E}, {@code u}, {@code s},
 * {@code eq}, {@code ae}, {@code m}; decimals as strings at 8 places), the UM futures {@code
 * ACCOUNT_UPDATE} (balance and positions, here the USDT wallet balance at the account's equity,
 * reason {@code ADJUSTMENT}) and {@code listenKeyExpired}.
 */
final class UserDataFrames {

  static final String RISK_LEVEL_CHANGE = "riskLevelChange";
  static final String ACCOUNT_UPDATE = "ACCOUNT_UPDATE";
  static final String LISTEN_KEY_EXPIRED = "listenKeyExpired";

  /** The values Binance documents for {@code s}. */
  static final Set<String> RISK_LEVELS =
      Set.of("MARGIN_CALL", "SUPPLY_MARGIN", "REDUCE_ONLY", "FORCE_LIQUIDATION");

  private UserDataFrames() {}

  static String riskLevelChange(AccountState state, long eventTime) {
    return "{\"e\":\""
        + RISK_LEVEL_CHANGE
        + "\",\"E\":"
        + eventTime
        + ",\"u\":\""
        + eight(state.uniMmr())
        + "\",\"s\":\""
        + state.accountStatus()
        + "\",\"eq\":\""
        + eight(state.accountEquity())
        + "\",\"ae\":\""
        + eight(state.actualEquity())
        + "\",\"m\":\""
        + eight(state.accountMaintMargin())
        + "\"}";
  }

  static String accountUpdate(AccountState state, long eventTime) {
    String balance = eight(state.accountEquity());
    return "{\"e\":\""
        + ACCOUNT_UPDATE
        + "\",\"fs\":\"UM\",\"E\":"
        + eventTime
        + ",\"T\":"
        + eventTime
        + ",\"i\":\"\",\"a\":{\"m\":\"ADJUSTMENT\",\"B\":[{\"a\":\"USDT\",\"wb\":\""
        + balance
        + "\",\"cw\":\""
        + balance
        + "\",\"bc\":\"0.00000000\"}],\"P\":[]}}";
  }

  static String listenKeyExpired(String listenKey, long eventTime) {
    return "{\"e\":\""
        + LISTEN_KEY_EXPIRED
        + "\",\"E\":"
        + eventTime
        + ",\"listenKey\":\""
        + listenKey
        + "\"}";
  }

  /**
   * Whether going from {@code before} to {@code after} is a risk-level change Binance pushes: a
   * configured uniMMR level crossed (either way) or a new status, with the new status one of {@link
   * #RISK_LEVELS} (a recovery to NORMAL has no documented {@code s}: only its {@code
   * ACCOUNT_UPDATE} tells).
   */
  static boolean isRiskLevelChange(
      AccountState before, AccountState after, Iterable<BigDecimal> levels) {
    if (!RISK_LEVELS.contains(after.accountStatus())) {
      return false;
    }
    if (!after.accountStatus().equals(before.accountStatus())) {
      return true;
    }
    if (before.uniMmr() == null || after.uniMmr() == null) {
      return false;
    }
    for (BigDecimal level : levels) {
      boolean wasBelow = before.uniMmr().compareTo(level) < 0;
      boolean isBelow = after.uniMmr().compareTo(level) < 0;
      if (wasBelow != isBelow) {
        return true;
      }
    }
    return false;
  }

  private static String eight(BigDecimal value) {
    return value.setScale(8, RoundingMode.HALF_EVEN).toPlainString();
  }
}
