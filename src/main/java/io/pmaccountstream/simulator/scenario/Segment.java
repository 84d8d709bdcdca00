package io.pmaccountstream.simulator.scenario;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/** One piece of an account's path, starting at {@code at} scenario time after the start. */
public sealed interface Segment permits Segment.Step, Segment.Walk {

  Duration at();

  /**
   * At {@code at}, set values. Give uniMMR or the equity (not both), optionally the maintenance
   * margin. A status pins the status until the next segment; without one the status follows the
   * thresholds.
   */
  record Step(
      Duration at,
      Optional<BigDecimal> uniMmr,
      Optional<BigDecimal> accountEquity,
      Optional<BigDecimal> accountMaintMargin,
      Optional<String> status)
      implements Segment {

    public Step {
      if (uniMmr.isPresent() && accountEquity.isPresent()) {
        throw new IllegalArgumentException(
            "a step sets uniMMR or accountEquity, not both (the other follows)");
      }
      if (accountMaintMargin.isPresent()
          && accountMaintMargin.get().compareTo(AccountValues.MIN_MAINT_MARGIN) < 0) {
        throw new IllegalArgumentException("accountMaintMargin must be at least 1");
      }
      if (uniMmr.isPresent() && uniMmr.get().signum() < 0) {
        throw new IllegalArgumentException("uniMMR must not be negative");
      }
    }

    public static Step uniMmr(Duration at, String uniMmr) {
      return new Step(
          at,
          Optional.of(Decimals.of(uniMmr)),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());
    }

    public Step withStatus(String value) {
      return new Step(at, uniMmr, accountEquity, accountMaintMargin, Optional.of(value));
    }
  }

  /**
   * From {@code at} until the next segment, every {@code every} the uniMMR moves by the drift plus
   * a seeded normal step of standard deviation {@code volatility}, reflected into [min, max]. The
   * drift is either given per scenario minute or computed to reach {@code to} by the next segment.
   * Status follows the thresholds.
   */
  record Walk(
      Duration at,
      Optional<BigDecimal> driftPerMinute,
      Optional<BigDecimal> to,
      BigDecimal volatility,
      Duration every,
      BigDecimal min,
      BigDecimal max)
      implements Segment {

    public Walk {
      if (driftPerMinute.isPresent() == to.isPresent()) {
        throw new IllegalArgumentException("a walk has either a drift or a target ('to')");
      }
      if (every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("a walk's 'every' must be positive");
      }
      if (volatility.signum() < 0) {
        throw new IllegalArgumentException("a walk's volatility must not be negative");
      }
      if (min.compareTo(max) >= 0) {
        throw new IllegalArgumentException("a walk's min must be below its max");
      }
    }

    public static Walk drifting(
        Duration at,
        String driftPerMinute,
        String volatility,
        Duration every,
        String min,
        String max) {
      return new Walk(
          at,
          Optional.of(new BigDecimal(driftPerMinute)),
          Optional.empty(),
          new BigDecimal(volatility),
          every,
          new BigDecimal(min),
          new BigDecimal(max));
    }

    public static Walk towards(
        Duration at, String to, String volatility, Duration every, String min, String max) {
      return new Walk(
          at,
          Optional.empty(),
          Optional.of(new BigDecimal(to)),
          new BigDecimal(volatility),
          every,
          new BigDecimal(min),
          new BigDecimal(max));
    }
  }
}
