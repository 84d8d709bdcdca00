package io.pmaccountstream.simulator.scenario;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Random;

/**
 * Where an account is on its path at a scenario time. Advances only forward: asking for an earlier
 * time keeps the current values. The same spec, thresholds and seed always give the same values at
 * the same scenario time, whatever the times asked in between. Not thread-safe; the owning account
 * synchronises.
 */
public final class AccountPath {

  private static final long MINUTE_MILLIS = 60_000;

  private final AccountSpec spec;
  private final StatusThresholds thresholds;
  private final long seed;
  private final List<Segment> path;
  private final long repeatMillis;

  private AccountValues values;
  private long cycle;
  private int segmentIndex = -1;
  private WalkState walk;
  private long evaluatedUntil;
  private long changeCount;
  private long lastUpdateAt;

  public AccountPath(AccountSpec spec, StatusThresholds thresholds, long seed) {
    this.spec = spec;
    this.thresholds = thresholds;
    this.seed = Seeds.mix(seed, "path", spec.id());
    this.path = spec.path();
    this.repeatMillis = spec.repeat().map(d -> d.toMillis()).orElse(0L);
    this.values = valuesAfter(spec.initial(), null);
    this.evaluatedUntil = -1;
    advanceTo(0);
  }

  public AccountValues values() {
    return values;
  }

  /** Grows by one for every change of the served values. */
  public long changeCount() {
    return changeCount;
  }

  /** Scenario time (ms) of the last change that moves {@code updateTime}. */
  public long lastUpdateAt() {
    return lastUpdateAt;
  }

  /** Moves to scenario time {@code t} (ms); returns whether any value changed. */
  public boolean advanceTo(long t) {
    if (t <= evaluatedUntil) {
      return false;
    }
    long changesBefore = changeCount;
    while (true) {
      long cycleStart = cycle * repeatMillis;
      long cycleEnd = repeatMillis > 0 ? cycleStart + repeatMillis : Long.MAX_VALUE;
      long limit = Math.min(t, cycleEnd - 1);
      advanceWithinCycle(cycleStart, cycleEnd, limit);
      if (repeatMillis > 0 && t >= cycleEnd) {
        cycle++;
        segmentIndex = -1;
        walk = null;
        apply(valuesAfter(spec.initial(), values), cycleEnd);
        continue;
      }
      break;
    }
    evaluatedUntil = t;
    return changeCount != changesBefore;
  }

  private void advanceWithinCycle(long cycleStart, long cycleEnd, long limit) {
    while (true) {
      boolean hasNext = segmentIndex + 1 < path.size();
      long nextSegmentAt =
          hasNext ? cycleStart + path.get(segmentIndex + 1).at().toMillis() : cycleEnd;
      if (walk != null && walk.nextStepAt < nextSegmentAt && walk.nextStepAt <= limit) {
        long at = walk.nextStepAt;
        walk.nextStepAt += walk.everyMillis;
        apply(derived(values.withUniMmr(walk.next(values.uniMmr()))), at);
      } else if (hasNext && nextSegmentAt <= limit) {
        segmentIndex++;
        enter(path.get(segmentIndex), nextSegmentAt, cycleStart, cycleEnd);
      } else {
        return;
      }
    }
  }

  private void enter(Segment segment, long start, long cycleStart, long cycleEnd) {
    walk = null;
    if (segment instanceof Segment.Step step) {
      apply(valuesAfter(step, values), start);
    } else if (segment instanceof Segment.Walk definition) {
      long end =
          segmentIndex + 1 < path.size()
              ? cycleStart + path.get(segmentIndex + 1).at().toMillis()
              : cycleEnd;
      walk = new WalkState(definition, start, end, values.uniMmr(), walkRandom());
      apply(derived(values), start);
    }
  }

  private Random walkRandom() {
    return new Random(Seeds.mix(seed, "walk", cycle, segmentIndex));
  }

  private AccountValues valuesAfter(Segment.Step step, AccountValues current) {
    BigDecimal maintMargin =
        step.accountMaintMargin().orElseGet(() -> current.accountMaintMargin());
    String status = current == null ? StatusThresholds.NORMAL : current.status();
    AccountValues next;
    if (step.uniMmr().isPresent()) {
      next = AccountValues.ofUniMmr(step.uniMmr().get(), maintMargin, status);
    } else if (step.accountEquity().isPresent()) {
      next = AccountValues.ofEquity(step.accountEquity().get(), maintMargin, status);
    } else {
      next = current.withMaintMargin(maintMargin);
    }
    return step.status().map(next::withStatus).orElseGet(() -> derived(next));
  }

  private AccountValues derived(AccountValues v) {
    return v.withStatus(thresholds.statusOf(v.uniMmr()));
  }

  private void apply(AccountValues next, long at) {
    if (next.equals(values)) {
      return;
    }
    boolean statusChanged = !next.status().equals(values.status());
    values = next;
    changeCount++;
    if (spec.updateTimeMode() == UpdateTimeMode.ON_CHANGE || statusChanged) {
      lastUpdateAt = at;
    }
  }

  /** A running walk: its random stream, drift per step and next step time. */
  private static final class WalkState {
    private final Random random;
    private final BigDecimal driftPerStep;
    private final double volatility;
    private final BigDecimal min;
    private final BigDecimal max;
    private final long everyMillis;
    private long nextStepAt;

    WalkState(Segment.Walk walk, long start, long end, BigDecimal from, Random random) {
      this.random = random;
      this.everyMillis = walk.every().toMillis();
      this.nextStepAt = start + everyMillis;
      this.volatility = walk.volatility().doubleValue();
      this.min = walk.min();
      this.max = walk.max();
      if (walk.driftPerMinute().isPresent()) {
        this.driftPerStep =
            walk.driftPerMinute()
                .get()
                .multiply(BigDecimal.valueOf(everyMillis))
                .divide(BigDecimal.valueOf(MINUTE_MILLIS), 12, RoundingMode.HALF_EVEN);
      } else {
        long steps = Math.max(1, (end - start - 1) / everyMillis);
        this.driftPerStep =
            walk.to()
                .get()
                .subtract(from)
                .divide(BigDecimal.valueOf(steps), 12, RoundingMode.HALF_EVEN);
      }
    }

    BigDecimal next(BigDecimal current) {
      BigDecimal noise = BigDecimal.valueOf(volatility * random.nextGaussian());
      BigDecimal next = current.add(driftPerStep).add(noise);
      if (next.compareTo(min) < 0) {
        next = min.add(min.subtract(next));
      } else if (next.compareTo(max) > 0) {
        next = max.subtract(next.subtract(max));
      }
      return Decimals.scaled(next.max(min).min(max));
    }
  }
}
