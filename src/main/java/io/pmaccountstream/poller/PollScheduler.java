package io.pmaccountstream.poller;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one poll per account per interval on a worker pool.
 *
 * <p>Accounts start at phases spread evenly over the interval, so many accounts never poll in a
 * bunch; each tick is anchored at a fixed rate (a slow poll does not push later ones back: no
 * drift) and delayed by a random jitter of up to {@code jitter × interval}. An account whose
 * previous poll still runs at its next tick skips that tick (counted) instead of queueing polls
 * behind it.
 *
 * <p>Nothing a tick or a poll throws ends a schedule ({@code ScheduledExecutorService} silently
 * cancels a periodic task that throws): both are caught, counted in {@code pmas.loop.errors{loop}}
 * and logged, and the next tick comes. The ticker beats every second; a ticker that stops beating,
 * or a poll that has run for longer than {@link #MAX_POLL_DURATION}, is reported by {@link
 * #stalled()} so that liveness fails and Kubernetes restarts the pod.
 */
public final class PollScheduler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PollScheduler.class);

  /** A poll running longer than this is wedged (the client bounds every response far below). */
  static final Duration MAX_POLL_DURATION = Duration.ofMinutes(5);

  static final Duration TICKER_MAX_SILENCE = Duration.ofSeconds(30);

  private final Duration interval;
  private final double jitter;
  private final ScheduledExecutorService ticker;
  private final ExecutorService workers;
  private final Map<String, Long> inProgress = new ConcurrentHashMap<>();
  private final Map<String, Long> lastTick = new ConcurrentHashMap<>();
  private final Map<String, ScheduledFuture<?>> schedules = new ConcurrentHashMap<>();
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
    this.maxPollDuration = maxPollDuration;
    this.interval = interval;
    this.jitter = jitter;
    this.meters = meters;
    this.ticker = Executors.newSingleThreadScheduledExecutor(named("poll-ticker"));
    this.workers = Executors.newFixedThreadPool(workerThreads, named("poll-worker"));
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
  public void start(List<String> accountIds, Consumer<String> poll) {
    add(accountIds, poll);
  }

  /**
   * Adds accounts to the schedule (an account already scheduled keeps its schedule); their first
   * ticks are spread over one interval.
   */
  public synchronized void add(Collection<String> accountIds, Consumer<String> poll) {
    List<String> added = accountIds.stream().filter(a -> !schedules.containsKey(a)).toList();
    int n = added.size();
    long intervalNanos = interval.toNanos();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      String account = added.get(i);
      long phase = intervalNanos * i / n;
      AtomicInteger tick = new AtomicInteger();
      // Delays count from `start`, not from this registration: a long account list must not shift
      // every plan.
      long initialDelay = Math.max(0, start + phase - System.nanoTime());
      lastTick.put(account, start + phase);
      schedules.put(
          account,
          ticker.scheduleAtFixedRate(
              guarded(
                  "poll-ticker",
                  () ->
                      onTick(
                          account, start + phase + tick.getAndIncrement() * intervalNanos, poll)),
              initialDelay,
              intervalNanos,
              TimeUnit.NANOSECONDS));
    }
  }

  /**
   * Takes accounts off the schedule and waits up to the timeout for their polls in flight to end.
   * Returns the accounts whose poll still runs at the timeout.
   */
  public Set<String> remove(Collection<String> accountIds, Duration timeout) {
    synchronized (this) {
      for (String account : accountIds) {
        ScheduledFuture<?> schedule = schedules.remove(account);
        if (schedule != null) {
          schedule.cancel(false);
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

  /** Accounts on the schedule now. */
  public synchronized Set<String> scheduled() {
    return new TreeSet<>(schedules.keySet());
  }

  private void onTick(String account, long plannedNanos, Consumer<String> poll) {
    lastTick.put(account, System.nanoTime());
    long delay = (long) (ThreadLocalRandom.current().nextDouble() * jitter * interval.toNanos());
    if (delay == 0) {
      dispatch(account, plannedNanos, poll);
    } else {
      ticker.schedule(
          guarded("poll-ticker", () -> dispatch(account, plannedNanos + delay, poll)),
          delay,
          TimeUnit.NANOSECONDS);
    }
  }

  private void dispatch(String account, long plannedNanos, Consumer<String> poll) {
    if (inProgress.putIfAbsent(account, System.nanoTime()) != null) {
      meters.counter("pmas.poll.skipped", "account", account).increment();
      return;
    }
    if (!schedules.containsKey(account)) {
      // taken off the schedule after this tick was planned (checked after claiming the account,
      // so that remove() either sees this poll in progress or this check sees the removal)
      inProgress.remove(account);
      return;
    }
    try {
      workers.execute(
          () -> {
            lag.record(Math.max(0, System.nanoTime() - plannedNanos), TimeUnit.NANOSECONDS);
            try {
              poll.accept(account);
            } catch (RuntimeException e) {
              meters.counter("pmas.loop.errors", "loop", "poll-worker").increment();
              log.error("poll of account {} threw; the next tick polls it again", account, e);
            } finally {
              inProgress.remove(account);
            }
          });
    } catch (RejectedExecutionException e) {
      inProgress.remove(account);
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
    Duration tickSilence = TICKER_MAX_SILENCE.plus(interval.multipliedBy(3));
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
    try {
      if (!workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
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
