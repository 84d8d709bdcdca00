package io.pmaccountstream.simulator;

import io.pmaccountstream.simulator.scenario.AccountSpec;
import io.pmaccountstream.simulator.scenario.AccountValues;
import io.pmaccountstream.simulator.scenario.Decimals;
import java.math.BigDecimal;

/**
 * What {@code GET /papi/v1/account} serves for an account, field by field, plus the simulator's
 * {@code version} (grows by one with every change; a served response carries the version it
 * showed).
 */
public record AccountState(
    String accountId,
    BigDecimal uniMmr,
    BigDecimal accountEquity,
    BigDecimal actualEquity,
    BigDecimal accountInitialMargin,
    BigDecimal accountMaintMargin,
    String accountStatus,
    BigDecimal virtualMaxWithdrawAmount,
    String totalAvailableBalance,
    String totalMarginOpenLoss,
    long updateTime,
    long version) {

  static AccountState of(
      AccountSpec spec,
      AccountValues values,
      String totalAvailableBalance,
      String totalMarginOpenLoss,
      long updateTime,
      long version) {
    BigDecimal initialMargin =
        Decimals.scaled(values.accountMaintMargin().multiply(spec.initialMarginRatio()));
    BigDecimal withdrawable = values.accountEquity().subtract(initialMargin).max(BigDecimal.ZERO);
    return new AccountState(
        spec.id(),
        values.uniMmr(),
        values.accountEquity(),
        Decimals.scaled(values.accountEquity().multiply(spec.actualEquityRatio())),
        initialMargin,
        values.accountMaintMargin(),
        values.status(),
        Decimals.scaled(withdrawable),
        totalAvailableBalance,
        totalMarginOpenLoss,
        updateTime,
        version);
  }

  /** The driven values (uniMMR, equity, maintenance margin, status). */
  public AccountValues values() {
    return new AccountValues(uniMmr, accountEquity, accountMaintMargin, accountStatus);
  }
}
