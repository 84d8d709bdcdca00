package io.pmaccountstream.poller;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pmaccountstream.binance.WeightBudget.Priority;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one poll per account per interval on a worker pool, and out-of-band polls on demand.
 *
 * <p>Accounts start at phases spread evenly over their interval, so many accounts never poll in a
 * bunch; each tick is planned from the previous plan, not from when the poll ended (a slow poll
 * does not push later ones back: no drift), and delayed by a random jitter of up to {@code jitter ×
 * interval}. An account's interval comes from {@link Intervals}: fixed ({@code poll.interval}) or
 * risk-adaptive ({@link AdaptiveIntervals}); when it changes, the next tick moves to the last one
 * plus the new interval (or now), earlier or later alike, so that re-planning never polls more
 * often than the intervals say. An account whose previous poll still runs at its next tick skips
 * that tick (counted) instead of queueing polls behind it.
 *
 * <p>A scheduled poll for which the weight budget has no room now ({@link WeightGate}) is deferred
 * until it has, holding neither a worker nor its account meanwhile ({@code pmas.poll.deferred}): so
 * a push for that account is served at once instead of waiting behind a poll that waits for the
 * next minute.
 *
 * <p>{@link #pollSoon} asks for a poll now (a user-data event said the account changed): many asks
 * become one poll, at most one per {@code poll.push.min.gap} per account, and an ask while the
 * account's poll runs becomes one more poll right after it, never a poll queued behind it. Such a
 * poll is {@link Priority#URGENT} in the weight budget and runs on workers of its own, so that it
 * never queues behind scheduled polls that wait for the next minute's weight.
 *
 * <p>Nothing a tick or a poll throws ends a schedule: both are caught, counted in {@code
 * pmas.loop.errors{loop}} and logged, and the next tick comes (the next tick is planned before the
 * current one does anything). The ticker beats every second; a ticker that stops beating, or a poll
 * that has run for longer than {@link #MAX_POLL_DURATION}, is reported by {@link #stalled()} so
 * that liveness fails and Kubernetes restarts the pod.
 */
public final class PollScheduler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PollScheduler.class);

  /** A poll running longer than this is wedged (the client bounds every response far below). */
  static final Duration MAX_POLL_DURATION = Duration.ofMinutes(5);

  static final Duration TICKER_MAX_SILENCE = Duration.ofSeconds(30);

  /** Workers for push-triggered polls (a poll is a round trip: a few serve many pushes). */
  static final int MAX_PUSH_WORKERS = 4;

  /** The interval of each account, read at every tick. */
  public interface Intervals {
    Duration intervalOf(String account);

    /** The longest interval any account may get (for the liveness check). */
    Duration longest();

    /** Every account at the same interval. */
    static Intervals fixed(Duration interval) {
      return new Intervals() {
        @Override
        public Duration intervalOf(String account) {
          return interval;
        }

        @Override
        public Duration longest() {
          return interval;
        }
      };
    }
  }

  /** How long a scheduled poll would wait for weight now (zero: it may go). */
  @FunctionalInterface
  public interface WeightGate {
    Duration routineWait();

    WeightGate OPEN = () -> Duration.ZERO;
  }

  /** What a tick or a push runs for an account. */
  @FunctionalInterface
  public interface Poll {
    /**
     * @param priority {@link Priority#URGENT} for a poll a push asked for, else {@link
     *     Priority#ROUTINE}
     */
    void run(String account, Priority priority);
  }

  /** One scheduled account; its fields are guarded by the plan itself. */
  private static final class Plan {
    final String account;
    final Poll poll;

    /** The time of the next tick, and of the last one (or the one before the first). */
    long nextNanos;

    long previousNanos;
    ScheduledFuture<?> next;

    /** Bumped when the next tick is re-planned: an older tick that still runs does nothing. */
    int generation;

    volatile boolean removed;

    /** A push-triggered poll is asked for and not started yet. */
    boolean pushPending;

    /**
     * A scheduled poll waits for a worker or for weight (the account is claimed when it starts).
     */
    boolean queued;

    /** It waits for the account's running poll to end. */
    boolean pushAfterRunning;

    /** When the last push-triggered poll started (push clock); valid when {@code pushed}. */
    long lastPushNanos;

    boolean pushed;

    Plan(String account, Poll poll) {
      this.account = account;
      this.poll = poll;
    }
  }

  private final Intervals intervals;
  private final WeightGate gate;
  private final double jitter;
  private final Duration pushMinGap;
  private final LongSupplier pushClock;
  private final ScheduledExecutorService ticker;
  private final ExecutorService workers;

  /** Push-triggered polls only. */
  private final ExecutorService pushWorkers;

  private final Map<String, Long> inProgress = new ConcurrentHashMap<>();
  private final Map<String, Long> lastTick = new ConcurrentHashMap<>();
  private final Map<String, Plan> plans = new ConcurrentHashMap<>();
  private final LoopHeartbeat tickerBeat = new LoopHeartbeat("poll-ticker", TICKER_MAX_SILENCE);
  private final Timer lag;
  private final MeterRegistry meters;
  private final Duration maxPollDuration;
  private volatile boolean closed;

  public PollScheduler(Duration interval, double jitter, int workerThreads, MeterRegistry meters) {
    this(interval, jitter, workerThreads, meters, MAX_POLL_DURATION);
  }

  PollScheduler(
      Duration interval,
      double jitter,
      int workerThreads,
      MeterRegistry meters,
      Duration maxPollDuration) {
    this(
        Intervals.fixed(interval),
        WeightGate.OPEN,
        jitter,
        Duration.ofSeconds(1),
        workerThreads,
        meters,
        maxPollDuration,
        System::nanoTime);
  }

  /**
   * @param gate whether the weight budget has room for a scheduled poll now ({@link
   *     WeightGate#OPEN}: always)
   * @param pushMinGap at most one push-triggered poll per account per this gap
   * @param pushClock nanoseconds, for the gap between push-triggered polls (injected in tests)
   */
  public PollScheduler(
      Intervals intervals,
      WeightGate gate,
      double jitter,
      Duration pushMinGap,
      int workerThreads,
      MeterRegistry meters,
      LongSupplier pushClock) {
    this(intervals, gate, jitter, pushMinGap, workerThreads, meters, MAX_POLL_DURATION, pushClock);
  }

  PollScheduler(
      Intervals intervals,
      WeightGate gate,
      double jitter,
      Duration pushMinGap,
      int workerThreads,
      MeterRegistry meters,
      Duration maxPollDuration,
      LongSupplier pushClock) {
    this.maxPollDuration = maxPollDuration;
    this.intervals = intervals;
    this.gate = gate;
    this.jitter = jitter;
    this.pushMinGap = pushMinGap;
    this.pushClock = pushClock;
    this.meters = meters;
    this.ticker = Executors.newSingleThreadScheduledExecutor(named("poll-ticker"));
    this.workers = Executors.newFixedThreadPool(workerThreads, named("poll-worker"));
    this.pushWorkers =
        Executors.newFixedThreadPool(
            Math.min(workerThreads, MAX_PUSH_WORKERS), named("poll-push-worker"));
    this.lag =
        Timer.builder("pmas.poll.schedule.lag")
            .description("Start of a poll minus its planned time (tick plus jitter)")
            .publishPercentiles(0.5, 0.99)
            .register(meters);
    ticker.scheduleAtFixedRate(guarded("poll-ticker", tickerBeat::beat), 0, 1, TimeUnit.SECONDS);
    Gauge.builder("pmas.loop.stalled", this, s -> s.stalled().isPresent() ? 1 : 0)
        .description("1 when an internal loop died or is wedged (liveness fails; the pod restarts)")
        .tag("loop", "poll-scheduler")
        .register(meters);
    // Registered at 0 so that an alert on increase() sees the first error.
    meters.counter("pmas.loop.errors", "loop", "poll-ticker");
    meters.counter("pmas.loop.errors", "loop", "poll-worker");
  }

  /** The task, with whatever it throws caught and counted: a periodic task must never throw. */
  private Runnable guarded(String loop, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        meters.counter("pmas.loop.errors", "loop", loop).increment();
        log.error("{}: unexpected error, the schedule goes on", loop, e);
      }
    };
  }

  /**
   * Starts polling the accounts, each once per interval, calling {@code poll} with the account id.
   */
  public void start(List<String> accountIds, Poll poll) {
    add(accountIds, poll);
  }

  /**
   * Adds accounts to the schedule (an account already scheduled keeps its schedule); their first
   * ticks are spread over their interval.
   */
  public synchronized void add(Collection<String> accountIds, Poll poll) {
    List<String> added = accountIds.stream().filter(a -> !plans.containsKey(a)).toList();
    int n = added.size();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      String account = added.get(i);
      long intervalNanos = intervals.intervalOf(account).toNanos();
      long phase = intervalNanos * i / n;
      Plan plan = new Plan(account, poll);
      // Plans count from `start`, not from this registration: a long account list must not shift
      // every plan.
      lastTick.put(account, start + phase);
      plans.put(account, plan);
      synchronized (plan) {
        plan.previousNanos = start + phase - intervalNanos;
        planTick(plan, start + phase);
      }
    }
  }

  /** Plans the account's next tick at {@code atNanos}; called holding the plan. */
  private void planTick(Plan plan, long atNanos) {
    int generation = ++plan.generation;
    plan.nextNanos = atNanos;
    try {
      plan.next =
          ticker.schedule(
              guarded("poll-ticker", () -> tick(plan, generation)),
              Math.max(0, atNanos - System.nanoTime()),
              TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void tick(Plan plan, int generation) {
    long planned;
    synchronized (plan) {
      if (plan.removed || plan.generation != generation) {
        return;
      }
      planned = plan.nextNanos;
      plan.previousNanos = planned;
      // The next tick first: nothing this one does may end the schedule.
      planTick(plan, planned + intervals.intervalOf(plan.account).toNanos());
    }
    onTick(plan, planned);
  }

  /**
   * Moves the next tick of these accounts to their last tick plus their new interval, or now if
   * that has passed: earlier for a shorter interval, later for a longer one.
   */
  public void intervalsChanged(Collection<String> accountIds) {
    long now = System.nanoTime();
    for (String account : accountIds) {
      Plan plan = plans.get(account);
      if (plan == null) {
        continue;
      }
      synchronized (plan) {
        long at = Math.max(now, plan.previousNanos + intervals.intervalOf(account).toNanos());
        if (!plan.removed && at != plan.nextNanos) {
          if (plan.next != null) {
            plan.next.cancel(false);
          }
          planTick(plan, at);
        }
      }
    }
  }

  /**
   * Takes accounts off the schedule and waits up to the timeout for their polls in flight to end.
   * Returns the accounts whose poll still runs at the timeout.
   */
  public Set<String> remove(Collection<String> accountIds, Duration timeout) {
    synchronized (this) {
      for (String account : accountIds) {
        Plan plan = plans.remove(account);
        if (plan != null) {
          synchronized (plan) {
            plan.removed = true;
            if (plan.next != null) {
              plan.next.cancel(false);
            }
          }
        }
        lastTick.remove(account);
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> running = new TreeSet<>();
    for (String account : accountIds) {
      while (inProgress.containsKey(account) && System.nanoTime() - deadline < 0) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (inProgress.containsKey(account)) {
        running.add(account);
      }
    }
    return running;
  }

  /** How many accounts are on the schedule now. */
  public int size() {
    return plans.size();
  }

  /** Accounts on the schedule now. */
  public synchronized Set<String> scheduled() {
    return new TreeSet<>(plans.keySet());
  }

  private void onTick(Plan plan, long plannedNanos) {
    lastTick.put(plan.account, System.nanoTime());
    long delay =
        (long)
            (ThreadLocalRandom.current().nextDouble()
                * jitter
                * intervals.intervalOf(plan.account).toNanos());
    if (delay == 0) {
      dispatch(plan, plannedNanos, false);
    } else {
      ticker.schedule(
          guarded("poll-ticker", () -> dispatch(plan, plannedNanos + delay, false)),
          delay,
          TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Asks for a poll of the account as soon as its push gap allows (a user-data event said it
   * changed): coalesced with any ask not yet served, never queued behind its running poll. An
   * account not scheduled here (another instance polls it) is ignored, counted.
   */
  public void pollSoon(String account) {
    Plan plan = plans.get(account);
    if (plan == null) {
      meters.counter("pmas.poll.push.ignored", "account", account).increment();
      return;
    }
    meters.counter("pmas.poll.push.triggered", "account", account).increment();
    synchronized (plan) {
      if (plan.pushPending) {
        meters.counter("pmas.poll.push.coalesced", "account", account).increment();
        return;
      }
      plan.pushPending = true;
    }
    tryPush(plan, false);
  }

  /**
   * Starts the pending push-triggered poll, or plans it for the end of its gap or running poll.
   *
   * @param gapWaited called at the end of the gap it was planned for (the push clock may be a
   *     test's, which does not move by itself)
   */
  private void tryPush(Plan plan, boolean gapWaited) {
    long now = pushClock.getAsLong();
    synchronized (plan) {
      if (plan.removed || closed) {
        plan.pushPending = false;
        return;
      }
      long wait = plan.pushed && !gapWaited ? plan.lastPushNanos + pushMinGap.toNanos() - now : 0;
      if (wait > 0) {
        try {
          ticker.schedule(
              guarded("poll-ticker", () -> tryPush(plan, true)), wait, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          plan.pushPending = false;
        }
        return;
      }
      if (inProgress.containsKey(plan.account)) {
        plan.pushAfterRunning = true;
        return;
      }
      plan.pushPending = false;
      plan.pushed = true;
      plan.lastPushNanos = now;
    }
    meters.counter("pmas.poll.push.polls", "account", plan.account).increment();
    dispatch(plan, System.nanoTime(), true);
  }

  private void dispatch(Plan plan, long plannedNanos, boolean pushed) {
    if (pushed) {
      dispatchPush(plan, plannedNanos);
    } else {
      dispatchScheduled(plan, plannedNanos);
    }
  }

  /**
   * Queues a scheduled poll; the account is claimed only when a worker starts it, so that a push
   * for an account whose scheduled poll still waits for a worker is not held behind it.
   */
  private void dispatchScheduled(Plan plan, long plannedNanos) {
    synchronized (plan) {
      if (plan.queued || inProgress.containsKey(plan.account)) {
        meters.counter("pmas.poll.skipped", "account", plan.account).increment();
        return;
      }
      plan.queued = true;
    }
    queueScheduled(plan, plannedNanos);
  }

  /** Hands a scheduled poll to the workers, or defers it while the weight budget has no room. */
  private void queueScheduled(Plan plan, long plannedNanos) {
    Duration wait = gate.routineWait();
    if (!wait.isZero() && !plan.removed && !closed) {
      meters.counter("pmas.poll.deferred", "account", plan.account).increment();
      // spread over a second, so that deferred polls do not all ask at the same instant
      long nanos =
          wait.toNanos() + ThreadLocalRandom.current().nextLong(TimeUnit.SECONDS.toNanos(1));
      try {
        ticker.schedule(
            guarded("poll-ticker", () -> queueScheduled(plan, plannedNanos)),
            nanos,
            TimeUnit.NANOSECONDS);
        return;
      } catch (RejectedExecutionException e) {
        synchronized (plan) {
          plan.queued = false;
        }
        return;
      }
    }
    try {
      workers.execute(
          () -> {
            synchronized (plan) {
              plan.queued = false;
            }
            if (claim(plan)) {
              run(plan, plannedNanos, Priority.ROUTINE);
            } else {
              // a push-triggered poll of the account runs now: this one would repeat it
              meters.counter("pmas.poll.skipped", "account", plan.account).increment();
            }
          });
    } catch (RejectedExecutionException e) {
      synchronized (plan) {
        plan.queued = false;
      }
    }
  }

  private void dispatchPush(Plan plan, long plannedNanos) {
    synchronized (plan) {
      if (inProgress.putIfAbsent(plan.account, System.nanoTime()) != null) {
        // a scheduled poll won the race: this push becomes the poll right after it (checked and
        // claimed in one step, so that the push cannot be lost between the two)
        plan.pushPending = true;
        plan.pushAfterRunning = true;
        return;
      }
    }
    if (plan.removed || !plans.containsKey(plan.account)) {
      finished(plan);
      return;
    }
    try {
      pushWorkers.execute(() -> run(plan, plannedNanos, Priority.URGENT));
    } catch (RejectedExecutionException e) {
      inProgress.remove(plan.account);
    }
  }

  /**
   * Marks the account's poll as running; false (and nothing claimed) when another runs or the
   * account left the schedule.
   */
  private boolean claim(Plan plan) {
    synchronized (plan) {
      if (inProgress.putIfAbsent(plan.account, System.nanoTime()) != null) {
        return false;
      }
    }
    if (plan.removed || !plans.containsKey(plan.account)) {
      // taken off the schedule after this poll was planned (checked after claiming the account,
      // so that remove() either sees this poll in progress or this check sees the removal)
      finished(plan);
      return false;
    }
    return true;
  }

  private void run(Plan plan, long plannedNanos, Priority priority) {
    lag.record(Math.max(0, System.nanoTime() - plannedNanos), TimeUnit.NANOSECONDS);
    try {
      plan.poll.run(plan.account, priority);
    } catch (RuntimeException e) {
      meters.counter("pmas.loop.errors", "loop", "poll-worker").increment();
      log.error("poll of account {} threw; the next tick polls it again", plan.account, e);
    } finally {
      finished(plan);
    }
  }

  /** The account's poll ended: a push asked for meanwhile is served now (within its gap). */
  private void finished(Plan plan) {
    boolean pushNext;
    synchronized (plan) {
      inProgress.remove(plan.account);
      pushNext = plan.pushAfterRunning;
      plan.pushAfterRunning = false;
    }
    if (pushNext) {
      tryPush(plan, false);
    }
  }

  /**
   * Why the scheduling is dead or wedged (a ticker that no longer turns, a poll running for longer
   * than {@link #MAX_POLL_DURATION}), empty while it works.
   */
  public Optional<String> stalled() {
    if (closed) {
      return Optional.empty();
    }
    Optional<String> ticker = tickerBeat.stalled();
    if (ticker.isPresent()) {
      return ticker;
    }
    long now = System.nanoTime();
    Duration tickSilence = TICKER_MAX_SILENCE.plus(intervals.longest().multipliedBy(3));
    for (Map.Entry<String, Long> tick : lastTick.entrySet()) {
      Duration silence = Duration.ofNanos(now - tick.getValue());
      if (silence.compareTo(tickSilence) > 0) {
        return Optional.of(
            "the schedule of account "
                + tick.getKey()
                + " has not ticked for "
                + silence.toSeconds()
                + " s (a periodic task that ended)");
      }
    }
    for (Map.Entry<String, Long> poll : inProgress.entrySet()) {
      Duration running = Duration.ofNanos(now - poll.getValue());
      if (running.compareTo(maxPollDuration) > 0) {
        return Optional.of(
            "the poll of account "
                + poll.getKey()
                + " has run for "
                + running.toSeconds()
                + " s (wedged worker)");
      }
    }
    return Optional.empty();
  }

  /** Stops ticking and waits up to the timeout for polls in progress to finish. */
  public void close(Duration timeout) {
    closed = true;
    ticker.shutdownNow();
    workers.shutdown();
    pushWorkers.shutdown();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (ExecutorService pool : List.of(workers, pushWorkers)) {
        if (!pool.awaitTermination(
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          pool.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      pushWorkers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
