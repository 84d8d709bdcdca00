package io.pmaccountstream.poller;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

/**
 * Runs one poll per account per interval on a worker pool.
 *
 * <p>Accounts start at phases spread evenly over the interval, so many accounts never poll in a
 * bunch; each tick is anchored at a fixed rate (a slow poll does not push later ones back: no
 * drift) and delayed by a random jitter of up to {@code jitter × interval}. An account whose
 * previous poll still runs at its next tick skips that tick (counted) instead of queueing polls
 * behind it.
 */
public final class PollScheduler implements AutoCloseable {

  private final Duration interval;
  private final double jitter;
  private final ScheduledExecutorService ticker;
  private final ExecutorService workers;
  private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
  private final Set<String> active = ConcurrentHashMap.newKeySet();
  private final Map<String, ScheduledFuture<?>> schedules = new ConcurrentHashMap<>();
  private final Timer lag;
  private final MeterRegistry meters;

  public PollScheduler(Duration interval, double jitter, int workerThreads, MeterRegistry meters) {
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
  }

  /**
   * Starts polling the accounts, each once per interval, calling {@code poll} with the account id.
   */
  public void start(List<String> accountIds, Consumer<String> poll) {
    int n = accountIds.size();
    long intervalNanos = interval.toNanos();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      String account = accountIds.get(i);
      long phase = intervalNanos * i / n;
      AtomicInteger tick = new AtomicInteger();
      active.add(account);
      // Delays count from `start`, not from this registration: a long account list must not shift
      // every plan.
      long initialDelay = Math.max(0, start + phase - System.nanoTime());
      ScheduledFuture<?> schedule =
          ticker.scheduleAtFixedRate(
              () -> onTick(account, start + phase + tick.getAndIncrement() * intervalNanos, poll),
              initialDelay,
              intervalNanos,
              TimeUnit.NANOSECONDS);
      schedules.put(account, schedule);
    }
  }

  /** Stops polling one account (a fatal configuration error); the others go on. */
  public void stop(String accountId) {
    active.remove(accountId);
    ScheduledFuture<?> schedule = schedules.remove(accountId);
    if (schedule != null) {
      schedule.cancel(false);
    }
  }

  private void onTick(String account, long plannedNanos, Consumer<String> poll) {
    long delay = (long) (ThreadLocalRandom.current().nextDouble() * jitter * interval.toNanos());
    if (delay == 0) {
      dispatch(account, plannedNanos, poll);
    } else {
      ticker.schedule(
          () -> dispatch(account, plannedNanos + delay, poll), delay, TimeUnit.NANOSECONDS);
    }
  }

  private void dispatch(String account, long plannedNanos, Consumer<String> poll) {
    if (!active.contains(account)) {
      return;
    }
    if (!inProgress.add(account)) {
      meters.counter("pmas.poll.skipped", "account", account).increment();
      return;
    }
    try {
      workers.execute(
          () -> {
            lag.record(Math.max(0, System.nanoTime() - plannedNanos), TimeUnit.NANOSECONDS);
            try {
              poll.accept(account);
            } finally {
              inProgress.remove(account);
            }
          });
    } catch (RejectedExecutionException e) {
      inProgress.remove(account);
    }
  }

  /** Stops ticking and waits up to the timeout for polls in progress to finish. */
  public void close(Duration timeout) {
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
