package io.pmaccountstream.bench;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Deterministic random-walk snapshots of many accounts, shaped like what the poller publishes:
 * equity and maintenance margin walk geometrically, uniMMR is their ratio, the status follows
 * uniMMR bands (so some accounts cross levels and change status), every decimal has scale 8.
 * Snapshot {@code k} belongs to account {@code k % accounts}, at step {@code k / accounts}: the
 * accounts interleave as a poller's output does.
 *
 * <p>Memory is constant: snapshots are made one at a time.
 */
final class RealisticSnapshots implements Iterator<AccountSnapshot> {

  static final int SCALE = 8;
  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

  private final int accounts;
  private final long count;
  private final Duration interval;
  private final Walk[] walks;
  private long next;

  RealisticSnapshots(int accounts, long count, long seed, Duration interval) {
    this.accounts = accounts;
    this.count = count;
    this.interval = interval;
    this.walks = new Walk[accounts];
    SplittableRandom root = new SplittableRandom(seed);
    for (int i = 0; i < accounts; i++) {
      walks[i] = new Walk(accountId(i), root.split());
    }
  }

  /** The alias of account {@code i}, as configured in the poller. */
  static String accountId(int i) {
    return String.format("pm-desk-%04d", i);
  }

  /** One realistic snapshot, for sizing records and for micro-benchmarks. */
  static AccountSnapshot one() {
    return new RealisticSnapshots(1, 1, 42, Duration.ofSeconds(5)).next();
  }

  @Override
  public boolean hasNext() {
    return next < count;
  }

  @Override
  public AccountSnapshot next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    long k = next++;
    int account = (int) (k % accounts);
    long step = k / accounts;
    Instant observedAt = START.plus(interval.multipliedBy(step)).plusMillis(account);
    return walks[account].step(observedAt, step + 1);
  }

  /** One account's path. */
  private static final class Walk {
    private final String accountId;
    private final SplittableRandom random;
    private double equity;
    private double maintMargin;
    private final double collateralHaircut;
    private Instant updateTime = START;
    private AccountStatus status = AccountStatus.NORMAL;

    Walk(String accountId, SplittableRandom random) {
      this.accountId = accountId;
      this.random = random;
      this.equity = Math.exp(10 + random.nextDouble() * 5); // ~22k .. 3.3M USD
      // A spread of risk: most accounts far from the levels, some close to them.
      double startUniMmr = 1.1 + Math.pow(random.nextDouble(), 2) * 20;
      this.maintMargin = equity / startUniMmr;
      this.collateralHaircut = 0.9 + random.nextDouble() * 0.1;
    }

    AccountSnapshot step(Instant observedAt, long sequence) {
      double before = equity / maintMargin;
      equity *= Math.exp(random.nextGaussian() * 0.004);
      maintMargin *= Math.exp(random.nextGaussian() * 0.004 + 0.00001);
      double uniMmr = equity / maintMargin;
      if (uniMmr < 1.0) { // the desk tops up margin rather than going bust
        maintMargin = equity / 1.6;
        uniMmr = 1.6;
      }
      if (uniMmr != before) {
        updateTime = observedAt.minusMillis(1 + random.nextInt(900));
      }
      status = statusOf(uniMmr);
      double actualEquity = equity / collateralHaircut;
      return AccountSnapshot.newBuilder()
          .setAccountId(accountId)
          .setUniMMR(decimal(uniMmr))
          .setAccountEquity(decimal(equity))
          .setActualEquity(decimal(actualEquity))
          .setAccountInitialMargin(decimal(maintMargin * 1.25))
          .setAccountMaintMargin(decimal(maintMargin))
          .setAccountStatus(status)
          .setAccountStatusRaw(status.name())
          .setVirtualMaxWithdrawAmount(decimal(Math.max(0, equity - maintMargin * 1.25)))
          .setTotalAvailableBalance(random.nextInt(4) == 0 ? null : decimal(equity * 0.3))
          .setTotalMarginOpenLoss(random.nextInt(4) == 0 ? null : decimal(equity * 0.001))
          .setUpdateTime(updateTime)
          .setObservedAt(observedAt)
          .setRequestLatencyMs(15 + random.nextInt(60))
          .setUsedWeight1m(20 + random.nextInt(2000))
          .setPollerInstanceId("41235@poller-0.pm-account-stream")
          .setSequence(sequence)
          .build();
    }

    private static AccountStatus statusOf(double uniMmr) {
      if (uniMmr < 1.05) {
        return AccountStatus.FORCE_LIQUIDATION;
      }
      if (uniMmr < 1.2) {
        return AccountStatus.REDUCE_ONLY;
      }
      if (uniMmr < 1.5) {
        return AccountStatus.MARGIN_CALL;
      }
      return AccountStatus.NORMAL;
    }

    private static BigDecimal decimal(double v) {
      return BigDecimal.valueOf(v).setScale(SCALE, RoundingMode.HALF_EVEN);
    }
  }
}
