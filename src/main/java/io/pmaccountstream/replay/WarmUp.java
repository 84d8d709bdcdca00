package io.pmaccountstream.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How much history before {@code --from} a replay runs through the derivation, with its output
 * suppressed, to rebuild each account's state (last status, uniMMR, breached levels) at the start
 * of the range.
 *
 * <ul>
 *   <li>{@link #all()} (the default): from the beginning of the topic, as the live application did.
 *       Required for exact fidelity: the state at {@code --from} is then the live one.
 *   <li>{@link #lookBack(Duration)}: only the given time before {@code --from}. Faster on long
 *       histories; an account whose last status change or breach lies before the look-back starts
 *       from no state, so its first events in the range may differ from the live ones (an INITIAL
 *       transition, a BREACHED event for a level the live app already had breached).
 *   <li>{@link #none()}: no warm-up (export, which derives nothing).
 * </ul>
 */
public final class WarmUp {

  private static final WarmUp ALL = new WarmUp(null);
  private static final WarmUp NONE = new WarmUp(Duration.ZERO);

  /** Null means from the beginning of the topic. */
  private final Duration lookBack;

  private WarmUp(Duration lookBack) {
    this.lookBack = lookBack;
  }

  public static WarmUp all() {
    return ALL;
  }

  public static WarmUp none() {
    return NONE;
  }

  public static WarmUp lookBack(Duration lookBack) {
    if (lookBack.isNegative()) {
      throw new IllegalArgumentException("warm-up must not be negative: " + lookBack);
    }
    return lookBack.isZero() ? NONE : new WarmUp(lookBack);
  }

  /**
   * {@code all}, {@code none}, or a positive duration such as {@code 6h}, {@code 7d} ({@link
   * TimeArgument#duration}: no sign, and a bare {@code 0} is refused like any number without a
   * unit; no warm-up is {@code none}).
   */
  public static WarmUp parse(String text) {
    String s = text.trim();
    if (s.equalsIgnoreCase("all")) {
      return ALL;
    }
    if (s.equalsIgnoreCase("none")) {
      return NONE;
    }
    return lookBack(TimeArgument.duration(s));
  }

  public boolean fromBeginning() {
    return lookBack == null;
  }

  /** Where reading starts for a range starting at {@code from}; empty for the topic's beginning. */
  public Optional<Instant> startFor(Instant from) {
    return lookBack == null ? Optional.empty() : Optional.of(from.minus(lookBack));
  }

  @Override
  public String toString() {
    if (lookBack == null) {
      return "all";
    }
    return lookBack.isZero() ? "none" : lookBack.toString();
  }
}
