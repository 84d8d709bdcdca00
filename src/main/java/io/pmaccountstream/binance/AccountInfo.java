package io.pmaccountstream.binance;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A Portfolio Margin account as {@code GET /papi/v1/account} returned it, with Binance's decimals
 * kept exactly (the scale as sent). Fields Binance may send as {@code ""} are optional. Every
 * decimal fits the schemas' {@code decimal(38, 8)} without rounding ({@link
 * InputPolicy#fitsSchema}): an account that does not cannot be built, so writing one never fails.
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
    uniMMR.ifPresent(v -> requireFits("uniMMR", v));
    requireFits("accountEquity", accountEquity);
    requireFits("actualEquity", actualEquity);
    requireFits("accountInitialMargin", accountInitialMargin);
    requireFits("accountMaintMargin", accountMaintMargin);
    virtualMaxWithdrawAmount.ifPresent(v -> requireFits("virtualMaxWithdrawAmount", v));
    totalAvailableBalance.ifPresent(v -> requireFits("totalAvailableBalance", v));
    totalMarginOpenLoss.ifPresent(v -> requireFits("totalMarginOpenLoss", v));
  }

  private static void requireFits(String field, BigDecimal value) {
    if (!InputPolicy.fitsSchema(value)) {
      throw new IllegalArgumentException(
          field
              + " does not fit decimal(38, "
              + InputPolicy.MAX_SCALE
              + ") without rounding: "
              + value.toPlainString());
    }
  }
}
