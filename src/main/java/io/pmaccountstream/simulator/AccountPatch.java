package io.pmaccountstream.simulator;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * A change a test or benchmark makes to an account at runtime. Give uniMMR or the equity (the other
 * follows from the maintenance margin); without a status, the status follows the scenario's
 * thresholds. {@code keepUpdateTime} serves the change under the old {@code updateTime} (as Binance
 * may when only mark prices moved).
 */
public record AccountPatch(
    Optional<BigDecimal> uniMmr,
    Optional<BigDecimal> accountEquity,
    Optional<BigDecimal> accountMaintMargin,
    Optional<String> status,
    Optional<String> totalAvailableBalance,
    Optional<String> totalMarginOpenLoss,
    boolean keepUpdateTime) {

  public AccountPatch {
    if (uniMmr.isPresent() && accountEquity.isPresent()) {
      throw new IllegalArgumentException("set uniMMR or accountEquity, not both");
    }
  }

  private static final AccountPatch EMPTY =
      new AccountPatch(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          false);

  public static AccountPatch uniMmr(String value) {
    return uniMmr(new BigDecimal(value));
  }

  public static AccountPatch uniMmr(BigDecimal value) {
    return EMPTY.withUniMmr(value);
  }

  public static AccountPatch accountEquity(String value) {
    return new AccountPatch(
        Optional.empty(),
        Optional.of(new BigDecimal(value)),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        false);
  }

  /** Only the status; the amounts stay. */
  public static AccountPatch status(String value) {
    return EMPTY.withStatus(value);
  }

  public AccountPatch withUniMmr(BigDecimal value) {
    return new AccountPatch(
        Optional.of(value),
        Optional.empty(),
        accountMaintMargin,
        status,
        totalAvailableBalance,
        totalMarginOpenLoss,
        keepUpdateTime);
  }

  public AccountPatch withStatus(String value) {
    return new AccountPatch(
        uniMmr,
        accountEquity,
        accountMaintMargin,
        Optional.of(value),
        totalAvailableBalance,
        totalMarginOpenLoss,
        keepUpdateTime);
  }

  public AccountPatch withMaintMargin(String value) {
    return new AccountPatch(
        uniMmr,
        accountEquity,
        Optional.of(new BigDecimal(value)),
        status,
        totalAvailableBalance,
        totalMarginOpenLoss,
        keepUpdateTime);
  }

  public AccountPatch withTotalAvailableBalance(String value) {
    return new AccountPatch(
        uniMmr,
        accountEquity,
        accountMaintMargin,
        status,
        Optional.of(value),
        totalMarginOpenLoss,
        keepUpdateTime);
  }

  public AccountPatch withTotalMarginOpenLoss(String value) {
    return new AccountPatch(
        uniMmr,
        accountEquity,
        accountMaintMargin,
        status,
        totalAvailableBalance,
        Optional.of(value),
        keepUpdateTime);
  }

  public AccountPatch keepingUpdateTime() {
    return new AccountPatch(
        uniMmr,
        accountEquity,
        accountMaintMargin,
        status,
        totalAvailableBalance,
        totalMarginOpenLoss,
        true);
  }
}
