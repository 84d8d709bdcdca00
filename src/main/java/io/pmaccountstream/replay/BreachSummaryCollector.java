package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.LevelEventKind;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.Derivation;
import io.pmaccountstream.derivation.DerivationConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds a {@link BreachSummary} from the derivations of a range's snapshots, as they happen. Keeps
 * a few numbers per account and level, never the events.
 */
public final class BreachSummaryCollector {

  private final TimeRange range;
  private final DerivationConfig config;
  private final Map<String, Tally> accounts = new HashMap<>();

  public BreachSummaryCollector(TimeRange range, DerivationConfig config) {
    this.range = range;
    this.config = config;
  }

  /**
   * Takes one snapshot of the range.
   *
   * @param snapshot the snapshot
   * @param previous the account's state before it (null for an account not seen before)
   * @param derivation what the derivation made of it
   */
  public void observe(
      AccountSnapshot snapshot, AccountDerivationState previous, Derivation derivation) {
    Tally tally =
        accounts.computeIfAbsent(
            snapshot.getAccountId(),
            id -> {
              Tally fresh = new Tally(config.levels());
              fresh.carryIn(previous, range.from());
              return fresh;
            });
    if (!derivation.accepted()) {
      tally.stale++;
      return;
    }
    Instant observedAt = snapshot.getObservedAt();
    tally.snapshots++;
    if (tally.lastObservedAt == null || observedAt.isAfter(tally.lastObservedAt)) {
      tally.lastObservedAt = observedAt;
    }
    BigDecimal uniMmr = snapshot.getUniMMR();
    if (uniMmr != null && (tally.minUniMmr == null || uniMmr.compareTo(tally.minUniMmr) < 0)) {
      tally.minUniMmr = uniMmr;
      tally.minUniMmrAt = observedAt;
    }
    derivation
        .transition()
        .ifPresent(t -> tally.transitionsTo.merge(t.getStatus(), 1, Integer::sum));
    for (UniMmrLevelEvent event : derivation.levelEvents()) {
      tally.levelEvent(event);
    }
  }

  /** The summary so far; breaches still open are measured to each account's last snapshot. */
  public BreachSummary summary() {
    List<BreachSummary.Account> result = new ArrayList<>(accounts.size());
    new TreeMap<>(accounts).forEach((id, tally) -> result.add(tally.toAccount(id, range.from())));
    return new BreachSummary(range, config.levels(), config.hysteresis(), result);
  }

  /** Running numbers of one account. */
  private static final class Tally {
    final List<BigDecimal> levels;
    final LevelTally[] perLevel;
    final Map<AccountStatus, Integer> transitionsTo = new EnumMap<>(AccountStatus.class);
    long snapshots;
    long stale;
    BigDecimal minUniMmr;
    Instant minUniMmrAt;
    Instant lastObservedAt;

    Tally(List<BigDecimal> levels) {
      this.levels = levels;
      this.perLevel = new LevelTally[levels.size()];
      for (int i = 0; i < perLevel.length; i++) {
        perLevel[i] = new LevelTally();
      }
    }

    /** Levels the warm-up left breached are breaches in progress since the start of the range. */
    void carryIn(AccountDerivationState previous, Instant from) {
      if (previous == null) {
        return;
      }
      for (BigDecimal breached : previous.getBreachedLevels()) {
        int i = indexOf(breached);
        if (i >= 0) {
          perLevel[i].open(from);
        }
      }
    }

    void levelEvent(UniMmrLevelEvent event) {
      int i = indexOf(event.getLevel());
      if (i < 0) {
        return;
      }
      if (event.getKind() == LevelEventKind.BREACHED) {
        perLevel[i].open(event.getObservedAt());
      } else if (event.getKind() == LevelEventKind.RECOVERED) {
        perLevel[i].close(event.getObservedAt());
      }
    }

    int indexOf(BigDecimal level) {
      for (int i = 0; i < levels.size(); i++) {
        if (levels.get(i).compareTo(level) == 0) {
          return i;
        }
      }
      return -1;
    }

    BreachSummary.Account toAccount(String accountId, Instant from) {
      Instant end = lastObservedAt == null ? from : lastObservedAt;
      List<BreachSummary.Level> levelSummaries = new ArrayList<>(perLevel.length);
      for (int i = 0; i < perLevel.length; i++) {
        levelSummaries.add(perLevel[i].toLevel(levels.get(i), end));
      }
      return new BreachSummary.Account(
          accountId,
          snapshots,
          stale,
          Optional.ofNullable(minUniMmr),
          Optional.ofNullable(minUniMmrAt),
          Optional.ofNullable(lastObservedAt),
          transitionsTo,
          levelSummaries);
    }
  }

  /** Running numbers of one account at one level. */
  private static final class LevelTally {
    int breaches;
    Duration below = Duration.ZERO;
    Duration longest = Duration.ZERO;
    Instant openSince;

    void open(Instant at) {
      if (openSince == null) {
        openSince = at;
        breaches++;
      }
    }

    void close(Instant at) {
      if (openSince != null) {
        add(openSince, at);
        openSince = null;
      }
    }

    private void add(Instant start, Instant end) {
      Duration length = end.isAfter(start) ? Duration.between(start, end) : Duration.ZERO;
      below = below.plus(length);
      if (length.compareTo(longest) > 0) {
        longest = length;
      }
    }

    /** The level's numbers, an open breach measured up to {@code end} without closing it. */
    BreachSummary.Level toLevel(BigDecimal level, Instant end) {
      Duration total = below;
      Duration longestSoFar = longest;
      if (openSince != null) {
        Duration open = end.isAfter(openSince) ? Duration.between(openSince, end) : Duration.ZERO;
        total = total.plus(open);
        longestSoFar = open.compareTo(longestSoFar) > 0 ? open : longestSoFar;
      }
      return new BreachSummary.Level(level, breaches, total, longestSoFar, openSince != null);
    }
  }
}
