package io.pmaccountstream.derivation;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.LevelEventKind;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The derivation of one account's events from its snapshots: the single implementation that the
 * Kafka Streams processor and replay both call. Stateless and thread-safe: the caller keeps each
 * account's {@link AccountDerivationState} and passes it back with the account's next snapshot.
 *
 * <p>Rules, applied to each snapshot against the previous accepted state of the account:
 *
 * <ol>
 *   <li><b>Staleness.</b> A snapshot is stale, ignored and reported as such, when its {@code
 *       updateTime} is older than the last accepted one, or equal to it with an {@code observedAt}
 *       older than the last accepted one (an older observation of the same account version). An
 *       equal {@code updateTime} with a newer or equal {@code observedAt} is accepted: uniMMR moves
 *       with mark prices without Binance changing {@code updateTime}.
 *   <li><b>Status transition</b> when {@code accountStatus} differs from the previous accepted one
 *       (for UNKNOWN, when the raw string differs), and on the first observation of an account
 *       ({@code previousStatus} null, direction INITIAL), so consumers learn the initial status.
 *   <li><b>Levels.</b> With a non-null uniMMR, a level not breached is BREACHED when {@code uniMMR
 *       < level}; a breached level is RECOVERED when {@code uniMMR >= level × (1 + hysteresis)}.
 *       Between the two, nothing happens (flapping inside the band is silent). The first
 *       observation of an account breaches every level it is already below. A null uniMMR leaves
 *       the levels and the stored uniMMR as they were.
 *   <li><b>Order of level events</b> when one snapshot crosses several levels: the order in which a
 *       continuous move of uniMMR would cross them, so that every prefix of the list describes a
 *       state the account passed through and the least severe change comes first. Falling: BREACHED
 *       for the highest (least severe) level first. Rising: RECOVERED for the lowest level first
 *       (the account leaves the liquidation zone before it leaves the reminder zone; a consumer
 *       folding events never sees "recovered from 1.5 while still below 1.05"). RECOVERED events
 *       precede BREACHED events; the two only mix right after the configured levels changed.
 * </ol>
 *
 * <p>Event ids are those of {@link EventIds}; level, uniMMR and money fields are written at scale
 * 8. The derivation is a pure function of (configuration, previous state, snapshot): the same input
 * gives equal events, whoever calls it.
 *
 * <p>State written under another configuration is read as far as it applies: breached levels that
 * are no longer configured are dropped, newly configured levels start as not breached.
 */
public final class Deriver {

  private final DerivationConfig config;
  private final Threshold[] thresholds;

  public Deriver(DerivationConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    List<BigDecimal> levels = config.levels();
    this.thresholds = new Threshold[levels.size()];
    for (int i = 0; i < thresholds.length; i++) {
      BigDecimal level = levels.get(i);
      thresholds[i] =
          new Threshold(
              level,
              config.recoveryThreshold(level),
              EventIds.levelSuffix(LevelEventKind.BREACHED, level),
              EventIds.levelSuffix(LevelEventKind.RECOVERED, level));
    }
  }

  public DerivationConfig config() {
    return config;
  }

  /**
   * Applies one snapshot of an account.
   *
   * @param previous the account's state after its last accepted snapshot; null for an account not
   *     seen before
   * @param snapshot the next snapshot of the same account
   * @return the new state and the events to emit
   */
  public Derivation derive(AccountDerivationState previous, AccountSnapshot snapshot) {
    if (previous != null && isStale(previous, snapshot)) {
      return Derivation.stale(previous);
    }
    Optional<AccountStatusTransition> transition = transition(previous, snapshot);
    List<BigDecimal> previousLevels = previous == null ? List.of() : previous.getBreachedLevels();
    int wasBreached = breachedMask(previousLevels);
    BigDecimal uniMmr = snapshot.getUniMMR();
    if (uniMmr == null) {
      BigDecimal kept = previous == null ? null : previous.getUniMMR();
      List<BigDecimal> breached = unchanged(previousLevels, wasBreached);
      return new Derivation(false, nextState(snapshot, kept, breached), transition, List.of());
    }
    uniMmr = scaled(uniMmr);
    int isBreached = wasBreached;
    for (int i = 0; i < thresholds.length; i++) {
      Threshold t = thresholds[i];
      int bit = 1 << i;
      if ((wasBreached & bit) == 0) {
        if (uniMmr.compareTo(t.level) < 0) {
          isBreached |= bit;
        }
      } else if (uniMmr.compareTo(t.recoverAt) >= 0) {
        isBreached &= ~bit;
      }
    }
    if (isBreached == wasBreached) {
      List<BigDecimal> breached = unchanged(previousLevels, wasBreached);
      return new Derivation(false, nextState(snapshot, uniMmr, breached), transition, List.of());
    }
    List<UniMmrLevelEvent> events =
        levelEvents(previous, snapshot, uniMmr, wasBreached, isBreached);
    return new Derivation(
        false, nextState(snapshot, uniMmr, levelsOf(isBreached)), transition, events);
  }

  private static boolean isStale(AccountDerivationState previous, AccountSnapshot snapshot) {
    int byUpdateTime = snapshot.getUpdateTime().compareTo(previous.getUpdateTime());
    return byUpdateTime < 0
        || (byUpdateTime == 0 && snapshot.getObservedAt().isBefore(previous.getObservedAt()));
  }

  private static Optional<AccountStatusTransition> transition(
      AccountDerivationState previous, AccountSnapshot snapshot) {
    AccountStatus status = snapshot.getAccountStatus();
    AccountStatus previousStatus = null;
    if (previous != null) {
      previousStatus = previous.getStatus();
      boolean same =
          previousStatus == status
              && (status != AccountStatus.UNKNOWN
                  || previous.getStatusRaw().equals(snapshot.getAccountStatusRaw()));
      if (same) {
        return Optional.empty();
      }
    }
    Instant observedAt = snapshot.getObservedAt();
    BigDecimal uniMmr = snapshot.getUniMMR();
    return Optional.of(
        new AccountStatusTransition(
            EventIds.transition(snapshot.getAccountId(), observedAt, status),
            snapshot.getAccountId(),
            previousStatus,
            status,
            snapshot.getAccountStatusRaw(),
            StatusSeverity.direction(previousStatus, status),
            uniMmr == null ? null : scaled(uniMmr),
            scaled(snapshot.getAccountEquity()),
            scaled(snapshot.getAccountMaintMargin()),
            snapshot.getUpdateTime(),
            observedAt));
  }

  private List<UniMmrLevelEvent> levelEvents(
      AccountDerivationState previous,
      AccountSnapshot snapshot,
      BigDecimal uniMmr,
      int wasBreached,
      int isBreached) {
    int recovered = wasBreached & ~isBreached;
    int breached = isBreached & ~wasBreached;
    List<UniMmrLevelEvent> events = new ArrayList<>(Integer.bitCount(recovered | breached));
    BigDecimal previousUniMmr = previous == null ? null : previous.getUniMMR();
    for (int i = thresholds.length - 1; i >= 0; i--) {
      if ((recovered & (1 << i)) != 0) {
        events.add(
            levelEvent(thresholds[i], LevelEventKind.RECOVERED, snapshot, uniMmr, previousUniMmr));
      }
    }
    for (int i = 0; i < thresholds.length; i++) {
      if ((breached & (1 << i)) != 0) {
        events.add(
            levelEvent(thresholds[i], LevelEventKind.BREACHED, snapshot, uniMmr, previousUniMmr));
      }
    }
    return events;
  }

  private static UniMmrLevelEvent levelEvent(
      Threshold threshold,
      LevelEventKind kind,
      AccountSnapshot snapshot,
      BigDecimal uniMmr,
      BigDecimal previousUniMmr) {
    Instant observedAt = snapshot.getObservedAt();
    String suffix =
        kind == LevelEventKind.BREACHED ? threshold.breachedSuffix : threshold.recoveredSuffix;
    return new UniMmrLevelEvent(
        snapshot.getAccountId() + EventIds.SEPARATOR + observedAt.toEpochMilli() + suffix,
        snapshot.getAccountId(),
        threshold.level,
        kind,
        uniMmr,
        previousUniMmr,
        snapshot.getAccountStatus(),
        snapshot.getUpdateTime(),
        observedAt);
  }

  private static AccountDerivationState nextState(
      AccountSnapshot snapshot, BigDecimal uniMmr, List<BigDecimal> breached) {
    return new AccountDerivationState(
        snapshot.getAccountStatus(),
        snapshot.getAccountStatusRaw(),
        uniMmr,
        snapshot.getUpdateTime(),
        snapshot.getObservedAt(),
        breached);
  }

  /** Bit i set when configured level i is in {@code breached}. */
  private int breachedMask(List<BigDecimal> breached) {
    int mask = 0;
    for (int b = 0, n = breached.size(); b < n; b++) {
      BigDecimal level = breached.get(b);
      for (int i = 0; i < thresholds.length; i++) {
        if (thresholds[i].level.compareTo(level) == 0) {
          mask |= 1 << i;
          break;
        }
      }
    }
    return mask;
  }

  /**
   * The previous breached levels as they are (no copy) unless they hold levels no longer
   * configured.
   */
  private List<BigDecimal> unchanged(List<BigDecimal> previousLevels, int mask) {
    return Integer.bitCount(mask) == previousLevels.size() ? previousLevels : levelsOf(mask);
  }

  private List<BigDecimal> levelsOf(int mask) {
    List<BigDecimal> levels = new ArrayList<>(Integer.bitCount(mask));
    for (int i = 0; i < thresholds.length; i++) {
      if ((mask & (1 << i)) != 0) {
        levels.add(thresholds[i].level);
      }
    }
    return List.copyOf(levels);
  }

  private static BigDecimal scaled(BigDecimal value) {
    return value.scale() == DerivationConfig.SCALE
        ? value
        : value.setScale(DerivationConfig.SCALE, RoundingMode.UNNECESSARY);
  }

  /** One configured level with its precomputed recovery threshold and event-id suffixes. */
  private record Threshold(
      BigDecimal level, BigDecimal recoverAt, String breachedSuffix, String recoveredSuffix) {}
}
