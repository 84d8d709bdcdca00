package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollSchedulerTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private PollScheduler scheduler;

  @AfterEach
  void close() {
    scheduler.close(Duration.ofSeconds(1));
  }

  /**
   * A periodic task that throws is cancelled for good by a ScheduledExecutorService, silently: here
   * the tick that counts a skipped poll throws, and the account must still be polled afterwards.
   */
  @Test
  void aTickThatThrowsDoesNotEndTheAccountsSchedule() {
    meters
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                if (id.getName().equals("pmas.poll.skipped")) {
                  throw new IllegalStateException("a meter registry that throws");
                }
                return id;
              }
            });
    scheduler = new PollScheduler(Duration.ofMillis(20), 0, 2, meters);
    CountDownLatch firstPollMayEnd = new CountDownLatch(1);
    AtomicInteger polls = new AtomicInteger();

    scheduler.start(
        List.of("alice"),
        (account, priority) -> {
          if (polls.incrementAndGet() == 1) {
            awaitQuietly(firstPollMayEnd);
          }
        });
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> meters.counter("pmas.loop.errors", "loop", "poll-ticker").count() > 0);
    firstPollMayEnd.countDown();

    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() >= 5);
    assertThat(scheduler.stalled()).isEmpty();
  }

  @Test
  void aPollThatThrowsIsCountedAndTheNextTickPollsAgain() {
    scheduler = new PollScheduler(Duration.ofMillis(20), 0, 2, meters);
    AtomicInteger polls = new AtomicInteger();

    scheduler.start(
        List.of("alice"),
        (account, priority) -> {
          polls.incrementAndGet();
          throw new IllegalStateException("boom");
        });

    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() >= 3);
    assertThat(meters.counter("pmas.loop.errors", "loop", "poll-worker").count())
        .isGreaterThanOrEqualTo(2.0);
  }

  @Test
  void aWorkingScheduleIsNotStalledAndAClosedOneIsNoLivenessConcern() {
    scheduler = new PollScheduler(Duration.ofMillis(20), 0.5, 2, meters);
    AtomicInteger polls = new AtomicInteger();
    scheduler.start(List.of("alice", "bob"), (account, priority) -> polls.incrementAndGet());

    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() >= 4);
    assertThat(scheduler.stalled()).isEmpty();
    scheduler.close(Duration.ofSeconds(1));
    assertThat(scheduler.stalled()).isEmpty();
  }

  @Test
  void aPollRunningLongerThanAllowedIsAWedgedWorkerForLiveness() {
    scheduler = new PollScheduler(Duration.ofMillis(20), 0, 1, meters, Duration.ofMillis(200));
    CountDownLatch release = new CountDownLatch(1);
    scheduler.start(List.of("alice"), (account, priority) -> awaitQuietly(release));

    await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.stalled().isPresent());
    assertThat(scheduler.stalled().get()).contains("alice", "wedged");
    assertThat(meters.get("pmas.loop.stalled").tag("loop", "poll-scheduler").gauge().value())
        .isEqualTo(1.0);
    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.stalled().isEmpty());
  }

  @Test
  void aRemovedAccountIsNoLongerPolledAndRemoveWaitsForItsPollInFlight() {
    scheduler = new PollScheduler(Duration.ofMillis(20), 0, 2, meters);
    Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    CountDownLatch bobInFlight = new CountDownLatch(1);
    CountDownLatch bobMayEnd = new CountDownLatch(1);
    AtomicBoolean bobPollEnded = new AtomicBoolean();
    scheduler.start(
        List.of("alice", "bob"),
        (account, priority) -> {
          polls.computeIfAbsent(account, a -> new AtomicInteger()).incrementAndGet();
          if (account.equals("bob") && bobInFlight.getCount() > 0) {
            bobInFlight.countDown();
            awaitQuietly(bobMayEnd);
            bobPollEnded.set(true);
          }
        });
    awaitQuietly(bobInFlight);

    new Thread(
            () -> {
              sleepQuietly(100);
              bobMayEnd.countDown();
            })
        .start();
    Set<String> stillRunning = scheduler.remove(List.of("bob"), Duration.ofSeconds(5));

    assertThat(stillRunning).isEmpty();
    assertThat(bobPollEnded).isTrue();
    int bobPolls = polls.get("bob").get();
    int alicePolls = polls.get("alice").get();
    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get("alice").get() >= alicePolls + 5);
    assertThat(polls.get("bob").get()).isEqualTo(bobPolls);
    assertThat(scheduler.scheduled()).containsExactly("alice");
    assertThat(scheduler.stalled()).isEmpty();
  }

  @Test
  void removeReportsAPollStillRunningAtItsTimeout() {
    scheduler = new PollScheduler(Duration.ofMillis(20), 0, 1, meters);
    CountDownLatch inFlight = new CountDownLatch(1);
    CountDownLatch mayEnd = new CountDownLatch(1);
    scheduler.start(
        List.of("alice"),
        (account, priority) -> {
          inFlight.countDown();
          awaitQuietly(mayEnd);
        });
    awaitQuietly(inFlight);

    assertThat(scheduler.remove(List.of("alice"), Duration.ofMillis(50))).containsExactly("alice");
    mayEnd.countDown();
  }

  @Test
  void anAccountAddedLaterIsPolledAndAnAccountAddedTwiceKeepsOneSchedule() {
    scheduler = new PollScheduler(Duration.ofMillis(20), 0, 2, meters);
    Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    scheduler.start(
        List.of("alice"),
        (account, priority) ->
            polls.computeIfAbsent(account, a -> new AtomicInteger()).incrementAndGet());

    scheduler.add(
        List.of("alice", "bob"),
        (account, priority) ->
            polls.computeIfAbsent("added:" + account, a -> new AtomicInteger()).incrementAndGet());
    await().atMost(Duration.ofSeconds(5)).until(() -> polls.containsKey("added:bob"));
    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get("added:bob").get() >= 5);

    // a second schedule of alice would poll her through the second callback
    assertThat(polls).doesNotContainKey("added:alice");
    assertThat(scheduler.scheduled()).containsExactly("alice", "bob");
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
