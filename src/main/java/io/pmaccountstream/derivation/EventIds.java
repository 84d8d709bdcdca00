package io.pmaccountstream.derivation;

import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.LevelEventKind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * Deterministic event ids: the same snapshot yields the same id in the live topology and in a
 * replay, so consumers can deduplicate on it.
 *
 * <ul>
 *   <li>Status transition: {@code <accountId>|<observedAt epoch millis>|<new status>}, for example
 *       {@code acct-1|1732363200123|REDUCE_ONLY} (the status is the enum symbol, {@code UNKNOWN}
 *       for a status this schema does not know).
 *   <li>Level event: {@code <accountId>|<observedAt epoch millis>|<BREACHED or RECOVERED>|<level,
 *       plain, 8 decimals>}, for example {@code acct-1|1732363200123|BREACHED|1.20000000}.
 * </ul>
 *
 * <p>The parts after the account id never contain {@code |}, so an id reads unambiguously from the
 * right even if an account id contains one.
 */
public final class EventIds {

  static final char SEPARATOR = '|';

  private EventIds() {}

  public static String transition(String accountId, Instant observedAt, AccountStatus status) {
    return accountId + SEPARATOR + observedAt.toEpochMilli() + SEPARATOR + status.name();
  }

  public static String level(
      String accountId, Instant observedAt, LevelEventKind kind, BigDecimal level) {
    return accountId + SEPARATOR + observedAt.toEpochMilli() + levelSuffix(kind, level);
  }

  /** {@code |KIND|level}: precomputed once per configured level by the {@link Deriver}. */
  static String levelSuffix(LevelEventKind kind, BigDecimal level) {
    return String.valueOf(SEPARATOR)
        + kind.name()
        + SEPARATOR
        + level.setScale(DerivationConfig.SCALE, RoundingMode.UNNECESSARY).toPlainString();
  }
}
