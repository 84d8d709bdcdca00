package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a quant needs to choose thresholds: per account and level, how often and how long uniMMR
 * stayed below the level within a replayed range.
 *
 * <p>A breach lasts from its BREACHED event's {@code observedAt} to its RECOVERED event's {@code
 * observedAt}. Two edges of the range:
 *
 * <ul>
 *   <li>A breach already in progress at {@code --from} (known from the warm-up state) counts as a
 *       breach and its time starts at {@code --from}.
 *   <li>A breach still in progress at the end is measured up to the account's <em>last
 *       snapshot</em> in the range, not up to {@code --to}: after the last observation nothing is
 *       known (the poller may have stopped), and a range ending at {@code now} would otherwise grow
 *       with the wall clock. Such rows say {@code breachedAtEnd}.
 * </ul>
 *
 * Only accounts with at least one snapshot in the range appear. Stale snapshots (ignored by the
 * derivation) count in {@code staleSnapshots} and nowhere else.
 *
 * @param range the replayed range
 * @param levels the levels derived with, highest first
 * @param hysteresis the recovery hysteresis derived with
 * @param accounts one entry per account, by account id
 */
public record BreachSummary(
    TimeRange range, List<BigDecimal> levels, BigDecimal hysteresis, List<Account> accounts) {

  public BreachSummary {
    levels = List.copyOf(levels);
    accounts = List.copyOf(accounts);
  }

  /**
   * One account.
   *
   * @param accountId the account
   * @param snapshots snapshots in the range the derivation accepted
   * @param staleSnapshots snapshots in the range the derivation ignored as stale
   * @param minUniMmr the lowest uniMMR of the accepted snapshots, empty if none had one
   * @param minUniMmrAt when it was observed (the first time, if it occurred more than once)
   * @param lastObservedAt the latest {@code observedAt} of an accepted snapshot
   * @param transitionsTo status transitions in the range, by target status
   * @param levels one entry per configured level, highest first
   */
  public record Account(
      String accountId,
      long snapshots,
      long staleSnapshots,
      Optional<BigDecimal> minUniMmr,
      Optional<Instant> minUniMmrAt,
      Optional<Instant> lastObservedAt,
      Map<AccountStatus, Integer> transitionsTo,
      List<Level> levels) {

    public Account {
      transitionsTo = Map.copyOf(transitionsTo);
      levels = List.copyOf(levels);
    }

    public int transitionsTo(AccountStatus status) {
      return transitionsTo.getOrDefault(status, 0);
    }
  }

  /**
   * One account at one level.
   *
   * @param level the level
   * @param breaches breaches in the range, one in progress at {@code --from} included
   * @param timeBelow total time below the level within the range
   * @param longestBreach the longest single breach (clipped to the range like {@code timeBelow})
   * @param breachedAtEnd the level was still breached at the account's last snapshot
   */
  public record Level(
      BigDecimal level,
      int breaches,
      Duration timeBelow,
      Duration longestBreach,
      boolean breachedAtEnd) {}
}
