package io.pmaccountstream.simulator.scenario;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * The values a scenario drives: uniMMR, (adjusted) account equity, maintenance margin and status.
 * They are always consistent: {@code uniMMR = accountEquity / accountMaintMargin} rounded half-up
 * at scale 8. Setting uniMMR derives the equity ({@code uniMMR × maintMargin} at scale 8), which
 * divides back to exactly the uniMMR that was set as long as the maintenance margin is at least 1.
 *
 * @param status as served; normally one of Binance's values, but any string (fault injection)
 */
public record AccountValues(
    BigDecimal uniMmr, BigDecimal accountEquity, BigDecimal accountMaintMargin, String status) {

  /** Maintenance margins below this would make uniMMR and equity disagree at scale 8. */
  public static final BigDecimal MIN_MAINT_MARGIN = BigDecimal.ONE;

  public AccountValues {
    Objects.requireNonNull(status, "status");
    uniMmr = Decimals.scaled(uniMmr);
    accountEquity = Decimals.scaled(accountEquity);
    accountMaintMargin = Decimals.scaled(accountMaintMargin);
  }

  /** Values with the given uniMMR; equity follows from the maintenance margin. */
  public static AccountValues ofUniMmr(BigDecimal uniMmr, BigDecimal maintMargin, String status) {
    requireMaintMargin(maintMargin);
    BigDecimal u = Decimals.scaled(uniMmr);
    BigDecimal mm = Decimals.scaled(maintMargin);
    return new AccountValues(u, Decimals.scaled(u.multiply(mm)), mm, status);
  }

  /** Values with the given equity; uniMMR follows from the maintenance margin. */
  public static AccountValues ofEquity(BigDecimal equity, BigDecimal maintMargin, String status) {
    requireMaintMargin(maintMargin);
    BigDecimal eq = Decimals.scaled(equity);
    BigDecimal mm = Decimals.scaled(maintMargin);
    return new AccountValues(uniMmrOf(eq, mm), eq, mm, status);
  }

  public static BigDecimal uniMmrOf(BigDecimal equity, BigDecimal maintMargin) {
    return equity.divide(maintMargin, Decimals.SCALE, RoundingMode.HALF_UP);
  }

  public AccountValues withUniMmr(BigDecimal value) {
    return ofUniMmr(value, accountMaintMargin, status);
  }

  public AccountValues withEquity(BigDecimal value) {
    return ofEquity(value, accountMaintMargin, status);
  }

  /** Keeps uniMMR; the equity moves with the margin. */
  public AccountValues withMaintMargin(BigDecimal value) {
    return ofUniMmr(uniMmr, value, status);
  }

  public AccountValues withStatus(String value) {
    return new AccountValues(uniMmr, accountEquity, accountMaintMargin, value);
  }

  private static void requireMaintMargin(BigDecimal maintMargin) {
    if (maintMargin.compareTo(MIN_MAINT_MARGIN) < 0) {
      throw new IllegalArgumentException(
          "accountMaintMargin must be at least 1 (was " + maintMargin.toPlainString() + ")");
    }
  }
}
