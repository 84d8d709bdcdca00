package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.binance.WeightBudget.Priority;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** pollSoon (push-triggered polls) and intervals that change while the schedule runs. */
class PollSchedulerPushTest {

  private static final Duration HOUR = Duration.ofHours(1);
  private static final Duration GAP = Duration.ofSeconds(1);

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicLong pushClock = new AtomicLong(1_000_000_000L);
  private final AtomicInteger polls = new AtomicInteger();
  private PollScheduler scheduler;

  @AfterEach
  void close() {
    scheduler.close(Duration.ofSeconds(1));
  }

  private PollScheduler scheduler(PollScheduler.Intervals intervals, Duration gap) {
    return new PollScheduler(
        intervals, PollScheduler.WeightGate.OPEN, 0, gap, 2, meters, pushClock::get);
  }

  /** Starts alice on an hourly schedule and waits for its first tick's poll (phase 0). */
  private void startAlice(PollScheduler.Intervals intervals, Duration gap) {
    scheduler = scheduler(intervals, gap);
    scheduler.start(List.of("alice"), (account, priority) -> polls.incrementAndGet());
    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() >= 1);
  }

  private double count(String name) {
    return meters.counter(name, "account", "alice").count();
  }

  @Test
  void anAskIsPolledAtOnceOutsideTheGap() {
    startAlice(PollScheduler.Intervals.fixed(HOUR), GAP);

    scheduler.pollSoon("alice");

    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() == 2);
    assertThat(count("pmas.poll.push.triggered")).isEqualTo(1.0);
    assertThat(count("pmas.poll.push.polls")).isEqualTo(1.0);
    assertThat(count("pmas.poll.push.coalesced")).isZero();
  }

  @Test
  void aPushPollIsUrgentAndNeverQueuesBehindScheduledPollsThatWaitForWeight() {
    // both scheduled workers are held by polls that wait (as for the next minute's weight); the
    // third account's scheduled poll waits for a worker
    CountDownLatch release = new CountDownLatch(1);
    Set<String> running = ConcurrentHashMap.newKeySet();
    Map<String, Priority> pushed = new ConcurrentHashMap<>();
    scheduler = scheduler(PollScheduler.Intervals.fixed(Duration.ofMillis(20)), GAP);
    scheduler.start(
        List.of("alice", "bob", "carol"),
        (account, priority) -> {
          if (priority == Priority.URGENT) {
            pushed.put(account, priority);
            return;
          }
          running.add(account);
          awaitQuietly(release);
        });
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> running.size() == 2);
      String waiting =
          Stream.of("alice", "bob", "carol")
              .filter(a -> !running.contains(a))
              .findFirst()
              .orElseThrow();

      scheduler.pollSoon(waiting);

      await().atMost(Duration.ofSeconds(5)).until(() -> pushed.containsKey(waiting));
      assertThat(pushed).containsExactly(Map.entry(waiting, Priority.URGENT));
    } finally {
      release.countDown();
    }
  }

  @Test
  void asksWithinTheGapBecomeOnePollAtTheEndOfTheGap() {
    startAlice(PollScheduler.Intervals.fixed(HOUR), GAP);
    scheduler.pollSoon("alice");
    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() == 2);

    // 100 ms later on the push clock: the next push poll may start 900 ms from now
    pushClock.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
    for (int i = 0; i < 5; i++) {
      scheduler.pollSoon("alice");
    }

    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(1))
        .until(() -> polls.get() == 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() == 3);
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> polls.get() == 3);
    assertThat(count("pmas.poll.push.triggered")).isEqualTo(6.0);
    assertThat(count("pmas.poll.push.coalesced")).isEqualTo(4.0);
    assertThat(count("pmas.poll.push.polls")).isEqualTo(2.0);
  }

  @Test
  void anAskOnceTheGapHasPassedIsPolledAtOnce() {
    startAlice(PollScheduler.Intervals.fixed(HOUR), GAP);
    scheduler.pollSoon("alice");
    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() == 2);

    pushClock.addAndGet(GAP.toNanos());
    scheduler.pollSoon("alice");

    await().atMost(Duration.ofMillis(500)).until(() -> polls.get() == 3);
    assertThat(count("pmas.poll.push.coalesced")).isZero();
  }

  @Test
  void asksWhileThePollRunsBecomeOnePollRightAfterItNeverAQueue() {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch mayEnd = new CountDownLatch(1);
    scheduler = scheduler(PollScheduler.Intervals.fixed(HOUR), Duration.ZERO);
    scheduler.start(
        List.of("alice"),
        (account, priority) -> {
          if (polls.incrementAndGet() == 1) {
            running.countDown();
            awaitQuietly(mayEnd);
          }
        });
    awaitQuietly(running);

    for (int i = 0; i < 10; i++) {
      scheduler.pollSoon("alice");
    }
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(1))
        .until(() -> polls.get() == 1);
    mayEnd.countDown();

    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() == 2);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(1))
        .until(() -> polls.get() == 2);
    assertThat(count("pmas.poll.push.coalesced")).isEqualTo(9.0);
    assertThat(count("pmas.poll.skipped")).isZero();
  }

  @Test
  void anAccountNotScheduledHereIsIgnoredAndCounted() {
    startAlice(PollScheduler.Intervals.fixed(HOUR), GAP);

    scheduler.pollSoon("bob");

    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(1))
        .until(() -> polls.get() == 1);
    assertThat(meters.counter("pmas.poll.push.ignored", "account", "bob").count()).isEqualTo(1.0);
  }

  @Test
  void aRemovedAccountsPendingAskIsDropped() {
    startAlice(PollScheduler.Intervals.fixed(HOUR), GAP);
    scheduler.pollSoon("alice");
    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() == 2);
    scheduler.pollSoon("alice"); // waits for the gap

    scheduler.remove(List.of("alice"), Duration.ofSeconds(1));

    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> polls.get() == 2);
  }

  @Test
  void aShorterIntervalBringsTheNextTickForward() {
    Map<String, Duration> intervals = new ConcurrentHashMap<>(Map.of("alice", HOUR));
    PollScheduler.Intervals adaptive = intervalsOf(intervals);
    startAlice(adaptive, GAP);

    intervals.put("alice", Duration.ofMillis(50));
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(1))
        .until(() -> polls.get() == 1); // the next tick is still planned an hour ahead
    scheduler.intervalsChanged(List.of("alice"));

    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() >= 5);
  }

  @Test
  void aLongerIntervalTakesEffectFromTheNextTick() {
    Map<String, Duration> intervals =
        new ConcurrentHashMap<>(Map.of("alice", Duration.ofMillis(30)));
    startAlice(intervalsOf(intervals), GAP);
    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() >= 3);

    intervals.put("alice", HOUR);
    await().atMost(Duration.ofSeconds(1)).pollDelay(Duration.ofMillis(100)).until(() -> true);
    int settled = polls.get();

    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(1))
        .until(() -> polls.get() == settled);
    assertThat(scheduler.stalled()).isEmpty();
  }

  @Test
  void aLongerIntervalMovesTheNextTickLaterWhenTold() {
    Map<String, Duration> intervals =
        new ConcurrentHashMap<>(Map.of("alice", Duration.ofMillis(300)));
    startAlice(intervalsOf(intervals), GAP);

    intervals.put("alice", HOUR);
    scheduler.intervalsChanged(List.of("alice"));

    // the tick planned 300 ms after the first is now an hour after it
    await()
        .during(Duration.ofMillis(800))
        .atMost(Duration.ofSeconds(2))
        .until(() -> polls.get() == 1);
  }

  @Test
  void aScheduledPollDefersWhileTheBudgetHasNoRoomHoldingNeitherAWorkerNorItsAccount() {
    AtomicBoolean room = new AtomicBoolean(false);
    List<Priority> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
    scheduler =
        new PollScheduler(
            PollScheduler.Intervals.fixed(HOUR),
            () -> room.get() ? Duration.ZERO : Duration.ofMillis(100),
            0,
            GAP,
            1,
            meters,
            pushClock::get);
    scheduler.start(List.of("alice"), (account, priority) -> runs.add(priority));
    await().atMost(Duration.ofSeconds(5)).until(() -> count("pmas.poll.deferred") >= 1);

    // the first tick's poll waits for weight: a push meanwhile is not held behind it
    scheduler.pollSoon("alice");
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.size() == 1);
    assertThat(runs).containsExactly(Priority.URGENT);

    room.set(true);
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.size() == 2);
    assertThat(runs).containsExactly(Priority.URGENT, Priority.ROUTINE);
  }

  private static PollScheduler.Intervals intervalsOf(Map<String, Duration> intervals) {
    return new PollScheduler.Intervals() {
      @Override
      public Duration intervalOf(String account) {
        return intervals.get(account);
      }

      @Override
      public Duration longest() {
        return HOUR;
      }
    };
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
