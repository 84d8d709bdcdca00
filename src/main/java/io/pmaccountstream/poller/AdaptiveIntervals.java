package io.pmaccountstream.poller;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.poller.RiskAdaptivePolicy.Wish;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * The intervals of the accounts this instance polls, kept up to date: each successful poll's
 * snapshot updates its account's wish ({@link RiskAdaptivePolicy}), and the budget is then shared
 * again ({@link PollBudgetAllocation}); so it is when the budget itself has moved by more than
 * {@link #BUDGET_DRIFT} since the last sharing (a 429 halved it, pushes reserved more of it).
 * Accounts whose interval changed are handed to the listener so that the scheduler can move their
 * next tick. Thread safe.
 */
public final class AdaptiveIntervals implements PollScheduler.Intervals {

  /** A relative change of the budget that shares it again, even when no wish changed. */
  static final double BUDGET_DRIFT = 0.05;

  private final RiskAdaptivePolicy policy;
  private final DoubleSupplier pollsPerSecond;
  private final MeterRegistry meters;
  private final Map<String, Wish> wishes = new HashMap<>();
  private final Set<String> withGauges = new TreeSet<>();
  private volatile Map<String, Duration> intervals = Map.of();
  private double sharedBudget = Double.NaN;
  private volatile Consumer<Set<String>> changed = accounts -> {};

  /**
   * @param pollsPerSecond the polls the weight budget pays for now (read at every reallocation, so
   *     that a budget halved after a 429 is followed)
   */
  public AdaptiveIntervals(
      RiskAdaptivePolicy policy, DoubleSupplier pollsPerSecond, MeterRegistry meters) {
    this.policy = policy;
    this.pollsPerSecond = pollsPerSecond;
    this.meters = meters;
  }

  /** Who to tell when accounts' intervals change. */
  public void onChanged(Consumer<Set<String>> listener) {
    this.changed = listener;
  }

  /** Accounts now polled here, calm until their first snapshot (or from the one given). */
  public void add(Collection<String> accounts) {
    synchronized (this) {
      for (String account : accounts) {
        wishes.putIfAbsent(account, policy.unknown(account));
        if (withGauges.add(account)) {
          Gauge.builder(
                  "pmas.poll.interval",
                  this,
                  a -> a.intervals.getOrDefault(account, Duration.ZERO).toMillis() / 1000.0)
              .description(
                  "The account's poll interval now (risk-adaptive; 0 when not polled here)")
              .baseUnit("seconds")
              .tag("account", account)
              .register(meters);
          Gauge.builder("pmas.poll.interval.band", this, a -> a.band(account))
              .description("The account's row of the adaptive policy (0 most urgent, 4 calm)")
              .tag("account", account)
              .register(meters);
        }
      }
    }
    reallocate();
  }

  /** Accounts no longer polled here. */
  public void remove(Collection<String> accounts) {
    synchronized (this) {
      accounts.forEach(wishes::remove);
    }
    reallocate();
  }

  /** What a successful poll (or the snapshot read back on take-over) showed. */
  public void observe(AccountSnapshot snapshot) {
    String account = snapshot.getAccountId();
    Wish wish =
        policy.wish(
            account, Optional.ofNullable(snapshot.getUniMMR()), snapshot.getAccountStatus());
    synchronized (this) {
      if (!wishes.containsKey(account)) {
        return;
      }
      boolean sameWish = wishes.get(account).equals(wish);
      if (sameWish && !budgetDrifted()) {
        return;
      }
      wishes.put(account, wish);
    }
    reallocate();
  }

  /** Shares the budget again; tells the listener which intervals changed. */
  public void reallocate() {
    Map<String, Duration> next;
    Set<String> moved = new TreeSet<>();
    synchronized (this) {
      sharedBudget = pollsPerSecond.getAsDouble();
      next = Map.copyOf(PollBudgetAllocation.allocate(wishes.values(), sharedBudget, policy.max()));
      Map<String, Duration> before = intervals;
      next.forEach(
          (account, interval) -> {
            Duration old = before.get(account);
            if (old != null && !interval.equals(old)) {
              moved.add(account);
            }
          });
      intervals = next;
    }
    if (!moved.isEmpty()) {
      changed.accept(moved);
    }
  }

  @Override
  public Duration intervalOf(String account) {
    return intervals.getOrDefault(account, policy.max());
  }

  @Override
  public Duration longest() {
    return policy.max();
  }

  private boolean budgetDrifted() {
    double now = pollsPerSecond.getAsDouble();
    return Double.isNaN(sharedBudget)
        || Math.abs(now - sharedBudget) > BUDGET_DRIFT * Math.max(sharedBudget, 1e-9);
  }

  private synchronized double band(String account) {
    Wish wish = wishes.get(account);
    return wish == null ? Double.NaN : wish.band();
  }
}
