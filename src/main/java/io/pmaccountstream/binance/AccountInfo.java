package io.pmaccountstream.binance;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A Portfolio Margin account as {@code GET /papi/v1/account} returned it, with Binance's decimals
 * kept exactly (the scale as sent). Fields Binance may send as {@code ""} are optional.
 *
 * @param uniMMR adjusted equity / maintenance margin; liquidation starts below 1.05
 * @param accountEquity account equity in USD (with collateral rates)
 * @param actualEquity account equity in USD without collateral rates
 * @param accountInitialMargin initial margin in USD
 * @param accountMaintMargin maintenance margin in USD
 * @param status {@code accountStatus}, {@link PmAccountStatus#UNKNOWN} for a value new to us
 * @param statusRaw {@code accountStatus} exactly as Binance sent it
 * @param virtualMaxWithdrawAmount maximum transfer out in USD
 * @param totalAvailableBalance often {@code ""}
 * @param totalMarginOpenLoss USD margin of open orders, often {@code ""}
 * @param updateTime the account's last update time (uniMMR also moves without it)
 */
public record AccountInfo(
    Optional<BigDecimal> uniMMR,
    BigDecimal accountEquity,
    BigDecimal actualEquity,
    BigDecimal accountInitialMargin,
    BigDecimal accountMaintMargin,
    PmAccountStatus status,
    String statusRaw,
    Optional<BigDecimal> virtualMaxWithdrawAmount,
    Optional<BigDecimal> totalAvailableBalance,
    Optional<BigDecimal> totalMarginOpenLoss,
    Instant updateTime) {

  public AccountInfo {
    Objects.requireNonNull(uniMMR, "uniMMR");
    Objects.requireNonNull(accountEquity, "accountEquity");
    Objects.requireNonNull(actualEquity, "actualEquity");
    Objects.requireNonNull(accountInitialMargin, "accountInitialMargin");
    Objects.requireNonNull(accountMaintMargin, "accountMaintMargin");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(statusRaw, "statusRaw");
    Objects.requireNonNull(virtualMaxWithdrawAmount, "virtualMaxWithdrawAmount");
    Objects.requireNonNull(totalAvailableBalance, "totalAvailableBalance");
    Objects.requireNonNull(totalMarginOpenLoss, "totalMarginOpenLoss");
    Objects.requireNonNull(updateTime, "updateTime");
  }
}
