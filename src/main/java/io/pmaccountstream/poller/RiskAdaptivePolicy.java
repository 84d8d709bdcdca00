package io.pmaccountstream.poller;

import io.pmaccountstream.avro.AccountStatus;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How often an account wishes to be polled, from its last snapshot: the nearer its uniMMR is to one
 * of the levels, the shorter its interval. Pure: the same snapshot always gives the same wish.
 *
 * <p>The distance is relative, {@code |uniMMR − level| / level}, to the nearest level (above or
 * below it: an account just under 1.2 is as near to recovering as one just above is to breaching).
 * The interval is {@code min + f × (max − min)}:
 *
 * <table>
 *   <caption>The adaptive policy</caption>
 *   <tr><th>account</th><th>f</th><th>band</th></tr>
 *   <tr><td>status other than NORMAL</td><td>0</td><td>0</td></tr>
 *   <tr><td>distance &lt; 2 %</td><td>0</td><td>0</td></tr>
 *   <tr><td>2 % ≤ distance &lt; 5 %</td><td>0.1</td><td>1</td></tr>
 *   <tr><td>5 % ≤ distance &lt; 10 %</td><td>0.25</td><td>2</td></tr>
 *   <tr><td>10 % ≤ distance &lt; 20 %</td><td>0.5</td><td>3</td></tr>
 *   <tr><td>distance ≥ 20 %, uniMMR empty (no margin used), no snapshot yet</td><td>1</td><td>4</td></tr>
 * </table>
 *
 * The wish's urgency orders the accounts when the budget cannot serve every wish: lower band first,
 * then the smaller distance, then the account id.
 */
public final class RiskAdaptivePolicy {

  /** Upper bounds of the distance bands 0..3; band 4 is everything beyond. */
  static final List<BigDecimal> BAND_LIMITS =
      List.of(
          new BigDecimal("0.02"),
          new BigDecimal("0.05"),
          new BigDecimal("0.10"),
          new BigDecimal("0.20"));

  /** The fraction of the way from min to max, per band. */
  static final List<Double> BAND_FRACTIONS = List.of(0.0, 0.1, 0.25, 0.5, 1.0);

  static final int CALM_BAND = BAND_FRACTIONS.size() - 1;

  private final List<BigDecimal> levels;
  private final Duration min;
  private final Duration max;

  /**
   * One account's wish.
   *
   * @param account the account id
   * @param interval how often it wishes to be polled, in [min, max]
   * @param band its row of the table (0 most urgent)
   * @param distance its relative distance to the nearest level ({@link Double#POSITIVE_INFINITY}
   *     when unknown)
   */
  public record Wish(String account, Duration interval, int band, double distance)
      implements Comparable<Wish> {
    @Override
    public int compareTo(Wish other) {
      int c = Integer.compare(band, other.band);
      if (c == 0) {
        c = Double.compare(distance, other.distance);
      }
      return c != 0 ? c : account.compareTo(other.account);
    }
  }

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
    return new Wish(account, max, CALM_BAND, Double.POSITIVE_INFINITY);
  }

  /** The wish of an account whose last snapshot showed this uniMMR (empty: none) and status. */
  public Wish wish(String account, Optional<BigDecimal> uniMmr, AccountStatus status) {
    if (status != AccountStatus.NORMAL) {
      // urgent whatever the uniMMR; among such accounts the nearest to a level goes first
      double distance =
          uniMmr.isEmpty() || levels.isEmpty()
              ? Double.POSITIVE_INFINITY
              : distance(uniMmr.get()).doubleValue();
      return new Wish(account, min, 0, distance);
    }
    if (uniMmr.isEmpty() || levels.isEmpty()) {
      return unknown(account);
    }
    BigDecimal distance = distance(uniMmr.get());
    int band = 0;
    while (band < BAND_LIMITS.size() && distance.compareTo(BAND_LIMITS.get(band)) >= 0) {
      band++;
    }
    return new Wish(account, interval(band), band, distance.doubleValue());
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
    long span = max.toNanos() - min.toNanos();
    return min.plusNanos((long) (span * BAND_FRACTIONS.get(band)));
  }

  public Duration min() {
    return min;
  }

  public Duration max() {
    return max;
  }
}
