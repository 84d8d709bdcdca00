package io.pmaccountstream.bench;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.simulator.scenario.AccountPath;
import io.pmaccountstream.simulator.scenario.AccountSpec;
import io.pmaccountstream.simulator.scenario.AccountValues;
import io.pmaccountstream.simulator.scenario.BuiltInScenarios;
import io.pmaccountstream.simulator.scenario.KeyType;
import io.pmaccountstream.simulator.scenario.Scenario;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The snapshots a poller would publish for the simulator's {@code many} scenario (its benchmark
 * load: a seeded driftless uniMMR walk per account, stepping every second, some accounts crossing
 * the levels), observed once per step. The values are the simulator's own {@link AccountPath}; the
 * fields the simulator derives from them (actual equity, initial margin, withdrawable) are derived
 * the same way, and the poll metadata (latency, used weight, sequence) is what a poller writes.
 * Snapshot {@code k} belongs to account {@code k % accounts} at step {@code k / accounts}: accounts
 * interleave as a poller's output does. Memory is constant: snapshots are made one at a time.
 */
final class RealisticSnapshots implements Iterator<AccountSnapshot> {

  static final int SCALE = 8;

  /** Start of the micro-benchmarks' snapshots (any fixed time will do). */
  static final Instant FIXED_START = Instant.parse("2026-11-01T00:00:00Z");

  /** The observedAt a run of {@code count} snapshots should start at to end about now. */
  static Instant startEndingNow(int accounts, long count, Duration step) {
    return Instant.now()
        .minus(step.multipliedBy(count / accounts + 1))
        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  }

  private static final String POLLER_INSTANCE = "41235@poller-0.pm-account-stream";

  private final int accounts;
  private final long count;
  private final Duration step;
  private final long startMillis;
  private final AccountSpec[] specs;
  private final AccountPath[] paths;
  private final long[] updateTimes;
  private final long[] lastUpdateAt;
  private final SplittableRandom metadata;
  private long next;

  /**
   * @param start observedAt of the first snapshot (topics keep records by their timestamp, so a
   *     topic's snapshots should be recent)
   * @param step scenario time between two observations of an account (the {@code many} walk moves
   *     every second)
   */
  RealisticSnapshots(int accounts, long count, long seed, Instant start, Duration step) {
    this.accounts = accounts;
    this.count = count;
    this.step = step;
    this.startMillis = start.toEpochMilli();
    Scenario scenario = BuiltInScenarios.create("many", accounts, seed, KeyType.HMAC);
    List<AccountSpec> list = scenario.accounts();
    this.specs = list.toArray(new AccountSpec[0]);
    this.paths = new AccountPath[accounts];
    this.updateTimes = new long[accounts];
    this.lastUpdateAt = new long[accounts];
    for (int i = 0; i < accounts; i++) {
      paths[i] = new AccountPath(specs[i], scenario.thresholds(), seed);
      updateTimes[i] = startMillis;
      lastUpdateAt[i] = paths[i].lastUpdateAt();
    }
    this.metadata = new SplittableRandom(seed);
  }

  /** One realistic snapshot, for sizing records. */
  static AccountSnapshot one() {
    return new RealisticSnapshots(1, 1, 42, FIXED_START, Duration.ofSeconds(1)).next();
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
    long stepIndex = k / accounts;
    long scenarioMillis = step.toMillis() * stepIndex;
    Instant observedAt = Instant.ofEpochMilli(startMillis + scenarioMillis + account % 1000);
    AccountPath path = paths[account];
    path.advanceTo(scenarioMillis);
    if (path.lastUpdateAt() != lastUpdateAt[account]) {
      lastUpdateAt[account] = path.lastUpdateAt();
      updateTimes[account] = startMillis + path.lastUpdateAt();
    }
    return snapshot(specs[account], path.values(), updateTimes[account], observedAt, stepIndex + 1);
  }

  private AccountSnapshot snapshot(
      AccountSpec spec, AccountValues values, long updateTime, Instant observedAt, long sequence) {
    BigDecimal initialMargin =
        scaled(values.accountMaintMargin().multiply(spec.initialMarginRatio()));
    BigDecimal withdrawable = values.accountEquity().subtract(initialMargin).max(BigDecimal.ZERO);
    AccountStatus status = AccountStatus.valueOf(values.status());
    return AccountSnapshot.newBuilder()
        .setAccountId(spec.id())
        .setUniMMR(scaled(values.uniMmr()))
        .setAccountEquity(scaled(values.accountEquity()))
        .setActualEquity(scaled(values.accountEquity().multiply(spec.actualEquityRatio())))
        .setAccountInitialMargin(initialMargin)
        .setAccountMaintMargin(scaled(values.accountMaintMargin()))
        .setAccountStatus(status)
        .setAccountStatusRaw(values.status())
        .setVirtualMaxWithdrawAmount(scaled(withdrawable))
        .setTotalAvailableBalance(optional(spec.totalAvailableBalance()))
        .setTotalMarginOpenLoss(optional(spec.totalMarginOpenLoss()))
        .setUpdateTime(Instant.ofEpochMilli(updateTime))
        .setObservedAt(observedAt)
        .setRequestLatencyMs(15 + metadata.nextInt(60))
        .setUsedWeight1m(20 + metadata.nextInt(2000))
        .setPollerInstanceId(POLLER_INSTANCE)
        .setSequence(sequence)
        .build();
  }

  /** Binance serves "" for an absent amount; the snapshot has null. */
  private static BigDecimal optional(String served) {
    return served == null || served.isEmpty() ? null : scaled(new BigDecimal(served));
  }

  private static BigDecimal scaled(BigDecimal v) {
    return v.setScale(SCALE, RoundingMode.HALF_UP);
  }
}
