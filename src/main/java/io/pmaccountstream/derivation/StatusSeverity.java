package io.pmaccountstream.derivation;

import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.TransitionDirection;

/**
 * The severity order of Binance Portfolio Margin account statuses: {@code NORMAL < MARGIN_CALL <
 * SUPPLY_MARGIN < REDUCE_ONLY < ACTIVE_LIQUIDATION < FORCE_LIQUIDATION < BANKRUPTED}. {@code
 * UNKNOWN} (a status this schema version does not know) has no place in the order.
 */
public final class StatusSeverity {

  /** The rank of a status that has no place in the order. */
  public static final int UNRANKED = -1;

  private StatusSeverity() {}

  /** 0 for NORMAL up to 6 for BANKRUPTED; {@link #UNRANKED} for UNKNOWN. */
  public static int rank(AccountStatus status) {
    return switch (status) {
      case NORMAL -> 0;
      case MARGIN_CALL -> 1;
      case SUPPLY_MARGIN -> 2;
      case REDUCE_ONLY -> 3;
      case ACTIVE_LIQUIDATION -> 4;
      case FORCE_LIQUIDATION -> 5;
      case BANKRUPTED -> 6;
      case UNKNOWN -> UNRANKED;
    };
  }

  /**
   * The direction of a move from {@code previous} to {@code current}: INITIAL when there is no
   * previous status (first observation of the account), UNKNOWN when either side is UNKNOWN or both
   * have the same rank, WORSENED or IMPROVED otherwise.
   */
  public static TransitionDirection direction(AccountStatus previous, AccountStatus current) {
    if (previous == null) {
      return TransitionDirection.INITIAL;
    }
    int from = rank(previous);
    int to = rank(current);
    if (from == UNRANKED || to == UNRANKED || from == to) {
      return TransitionDirection.UNKNOWN;
    }
    return to > from ? TransitionDirection.WORSENED : TransitionDirection.IMPROVED;
  }
}
