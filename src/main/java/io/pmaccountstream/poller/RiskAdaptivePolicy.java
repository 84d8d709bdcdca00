package io.pmaccountstream.poller;

import io.pmaccountstream.avro.AccountStatus;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How often an account wishes to be polled, from its last snapshot: the nearer its uniMMR is to one
 * of the levels, the shorter its interval. Pure: the same snapshot always gives the same wish.
 *
 * <p>The distance is relative, {@code |uniMMR − level| / level}, to the nearest level (above or
 * below it: an account just under 1.2 is as near to recovering as one just above is to breaching).
 * The interval is {@code min × (max / min)^f}, whole milliseconds: each band's fraction of the way
 * from min to max on a log scale, so that every band polls a fixed factor less often than the one
 * before it, whatever the span (a linear share of a 60 s span would leave an account 5 % from a
 * level at 16 s).
 *
 * <table>
 *   <caption>The adaptive policy</caption>
 *   <tr><th>account</th><th>f</th><th>band</th><th>min 1 s, max 60 s</th></tr>
 *   <tr><td>distance &lt; 2 %; or ACTIVE_LIQUIDATION, FORCE_LIQUIDATION, BANKRUPTED, UNKNOWN
 *       whatever the distance</td><td>0</td><td>0</td><td>1 s</td></tr>
 *   <tr><td>2 % ≤ distance &lt; 5 %</td><td>0.1</td><td>1</td><td>1.5 s</td></tr>
 *   <tr><td>5 % ≤ distance &lt; 10 %; or MARGIN_CALL, SUPPLY_MARGIN, REDUCE_ONLY farther than
 *       that</td><td>0.25</td><td>2</td><td>2.8 s</td></tr>
 *   <tr><td>10 % ≤ distance &lt; 20 %</td><td>0.5</td><td>3</td><td>7.7 s</td></tr>
 *   <tr><td>distance ≥ 20 %, uniMMR empty (no margin used), no snapshot yet</td><td>1</td>
 *       <td>4</td><td>60 s</td></tr>
 * </table>
 *
 * A status other than NORMAL is never calm: in liquidation (or unknown to us) every second counts
 * whatever the uniMMR; in a margin call the account is at most band 2, nearer when its distance
 * says so. When the budget cannot serve every wish, {@link PollBudgetAllocation} shortens the
 * shortest wishes first.
 */
public final class RiskAdaptivePolicy {

  /** Upper bounds of the distance bands 0..3; band 4 is everything beyond. */
  static final List<BigDecimal> BAND_LIMITS =
      List.of(
          new BigDecimal("0.02"),
          new BigDecimal("0.05"),
          new BigDecimal("0.10"),
          new BigDecimal("0.20"));

  /** The fraction of the way from min to max (log scale), per band. */
  static final List<Double> BAND_FRACTIONS = List.of(0.0, 0.1, 0.25, 0.5, 1.0);

  static final int CALM_BAND = BAND_FRACTIONS.size() - 1;

  /** The calmest band of an account in a margin call, supplying margin or reduce-only. */
  static final int MARGIN_CALL_BAND = 2;

  private static final Set<AccountStatus> ALWAYS_URGENT =
      EnumSet.of(
          AccountStatus.ACTIVE_LIQUIDATION,
          AccountStatus.FORCE_LIQUIDATION,
          AccountStatus.BANKRUPTED,
          AccountStatus.UNKNOWN);

  private final List<BigDecimal> levels;
  private final Duration min;
  private final Duration max;

  /**
   * One account's wish.
   *
   * @param account the account id
   * @param interval how often it wishes to be polled, in [min, max]
   * @param band its row of the table (0 most urgent)
   */
  public record Wish(String account, Duration interval, int band) {}

  public RiskAdaptivePolicy(List<BigDecimal> levels, Duration min, Duration max) {
    if (min.compareTo(max) > 0) {
      throw new IllegalArgumentException("min " + min + " is longer than max " + max);
    }
    this.levels = List.copyOf(levels);
    this.min = min;
    this.max = max;
  }

  /** The wish of an account without a snapshot yet: calm (its first poll is on its phase). */
  public Wish unknown(String account) {
    return new Wish(account, max, CALM_BAND);
  }

  /** The wish of an account whose last snapshot showed this uniMMR (empty: none) and status. */
  public Wish wish(String account, Optional<BigDecimal> uniMmr, AccountStatus status) {
    if (ALWAYS_URGENT.contains(status)) {
      return new Wish(account, min, 0);
    }
    int band = uniMmr.isEmpty() || levels.isEmpty() ? CALM_BAND : band(distance(uniMmr.get()));
    if (status != AccountStatus.NORMAL) {
      band = Math.min(band, MARGIN_CALL_BAND);
    }
    return new Wish(account, interval(band), band);
  }

  private static int band(BigDecimal distance) {
    int band = 0;
    while (band < BAND_LIMITS.size() && distance.compareTo(BAND_LIMITS.get(band)) >= 0) {
      band++;
    }
    return band;
  }

  /** The relative distance to the nearest level. */
  BigDecimal distance(BigDecimal uniMmr) {
    BigDecimal nearest = null;
    for (BigDecimal level : levels) {
      BigDecimal d = uniMmr.subtract(level).abs().divide(level, MathContext.DECIMAL64);
      if (nearest == null || d.compareTo(nearest) < 0) {
        nearest = d;
      }
    }
    return nearest;
  }

  private Duration interval(int band) {
    if (band == 0 || min.equals(max)) {
      return min;
    }
    if (band == CALM_BAND) {
      return max;
    }
    double ratio = (double) max.toNanos() / min.toNanos();
    long millis = Math.round(min.toNanos() * Math.pow(ratio, BAND_FRACTIONS.get(band)) / 1e6);
    Duration interval = Duration.ofMillis(millis);
    return interval.compareTo(min) < 0 ? min : interval.compareTo(max) > 0 ? max : interval;
  }

  public Duration min() {
    return min;
  }

  public Duration max() {
    return max;
  }
}
