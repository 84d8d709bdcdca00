package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.binance.WeightBudget.Admission;
import io.pmaccountstream.binance.WeightBudget.Priority;
import io.pmaccountstream.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class WeightBudgetTest {

  private static final Duration NO_WAIT = Duration.ZERO;
  private static final Duration A_MINUTE = Duration.ofMinutes(1);
  private static final Admission GRANTED = new Admission.Granted();

  private final TestClock time = TestClock.at("2026-11-23T10:00:05Z");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ServerClock clock = new ServerClock(time, registry);
  private final WeightBudget budget =
      new WeightBudget(6000, new BigDecimal("0.8"), clock, time, registry);

  @Test
  void grantsUpToTheShareOfTheLimitThenWaitsForTheNextMinute() throws InterruptedException {
    for (int i = 0; i < 240; i++) {
      assertThat(budget.await(20, NO_WAIT))
          .as("request %d", i)
          .isInstanceOf(Admission.Granted.class);
    }
    assertThat(budget.usedWeight()).isEqualTo(4800);

    assertThat(budget.await(20, A_MINUTE)).isInstanceOf(Admission.Granted.class);

    assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(55));
    assertThat(budget.usedWeight()).isEqualTo(20);
  }

  @Test
  void scheduledRequestsLeaveTheUrgentReserveFreeAndUrgentOnesMaySpendIt()
      throws InterruptedException {
    budget.reserveForUrgent(0.1);
    assertThat(budget.urgentReserve()).isEqualTo(480);

    for (int i = 0; i < 216; i++) {
      assertThat(budget.await(20, NO_WAIT, Priority.ROUTINE))
          .as("routine %d", i)
          .isEqualTo(GRANTED);
    }
    assertThat(budget.await(20, NO_WAIT, Priority.ROUTINE))
        .as("4,320 + 20 would eat into the 480 kept for urgent requests")
        .isInstanceOf(Admission.Refused.class);
    for (int i = 0; i < 24; i++) {
      assertThat(budget.await(20, NO_WAIT, Priority.URGENT)).as("urgent %d", i).isEqualTo(GRANTED);
    }
    assertThat(budget.await(20, NO_WAIT, Priority.URGENT))
        .as("the minute's whole 4,800 is spent")
        .isInstanceOf(Admission.Refused.class);
    assertThat(registry.get("pmas.binance.weight.reserved").gauge().value())
        .as("1.25 × the 480 urgent requests spent this minute")
        .isEqualTo(600);
  }

  @Test
  void urgentRequestsAreNotHeldBackByScheduledOnesSpentBeforeThem() throws InterruptedException {
    budget.reserveForUrgent(0.1);
    for (int i = 0; i < 10; i++) {
      budget.await(20, NO_WAIT, Priority.URGENT);
    }

    // 200 of the 480 reserved are spent: routine requests may use all but the 280 left of it
    int routine = 0;
    while (budget.await(20, NO_WAIT, Priority.ROUTINE) instanceof Admission.Granted) {
      routine++;
    }

    assertThat(routine).isEqualTo((4800 - 480) / 20);
    assertThat(budget.await(20, NO_WAIT, Priority.URGENT)).isEqualTo(GRANTED);
  }

  @Test
  void theReserveFollowsWhatUrgentRequestsUsedLastMinuteUpToHalf() throws InterruptedException {
    budget.reserveForUrgent(0.1);
    for (int i = 0; i < 60; i++) {
      budget.await(20, NO_WAIT, Priority.URGENT); // 1,200 this minute
    }
    assertThat(budget.urgentReserve()).as("1,200 × 1.25").isEqualTo(1500);

    time.advance(A_MINUTE);
    assertThat(budget.urgentReserve())
        .as("last minute's, until this one uses more")
        .isEqualTo(1500);
    for (int i = 0; i < 150; i++) {
      budget.await(20, NO_WAIT, Priority.URGENT); // 3,000
    }
    assertThat(budget.urgentReserve()).as("at most half of 4,800").isEqualTo(2400);

    time.advance(A_MINUTE.multipliedBy(2));
    assertThat(budget.urgentReserve())
        .as("a minute without urgent requests: the floor")
        .isEqualTo(480);
  }

  @Test
  void aFirstBurstOfUrgentRequestsIsReservedAtItsPaceWithoutWaitingForTheNextMinute()
      throws InterruptedException {
    budget.reserveForUrgent(0.1);
    time.advance(Duration.ofSeconds(10)); // 15 s into the minute
    for (int i = 0; i < 20; i++) {
      budget.await(20, NO_WAIT, Priority.URGENT); // 400 in 15 s: 1,600 at this pace
    }

    assertThat(budget.urgentReserve()).as("1,600 × 1.25").isEqualTo(2000);
    time.advance(Duration.ofSeconds(15)); // 30 s in: the same 400 is a pace of 800
    assertThat(budget.urgentReserve()).isEqualTo(1000);
  }

  @Test
  void routineWaitSaysHowLongAScheduledPollWouldWaitWithoutReservingAnything()
      throws InterruptedException {
    budget.reserveForUrgent(0.1);
    for (int i = 0; i < 216; i++) {
      budget.await(20, NO_WAIT, Priority.ROUTINE);
    }

    assertThat(budget.routineWait(20)).isEqualTo(Duration.ofSeconds(55));
    assertThat(budget.usedWeight()).isEqualTo(4320);
    assertThat(budget.await(20, NO_WAIT, Priority.URGENT)).isEqualTo(GRANTED);
    time.advance(Duration.ofSeconds(55));
    assertThat(budget.routineWait(20)).isZero();
  }

  @Test
  void urgentRequestsMayTakeAllButTheRoutineFloor() throws InterruptedException {
    budget.reserveForUrgent(0.1, () -> 1100); // 50 accounts once a minute, plus 10 %
    for (int i = 0; i < 150; i++) {
      budget.await(20, NO_WAIT, Priority.URGENT); // 3,000: 3,750 with the quarter
    }

    assertThat(budget.urgentReserve()).as("4,800 - 1,100").isEqualTo(3700);
    int routine = 0;
    while (budget.await(20, NO_WAIT, Priority.ROUTINE) instanceof Admission.Granted) {
      routine++;
    }
    assertThat(routine * 20).as("the floor and what the urgent requests left").isEqualTo(1100);
  }

  @Test
  void withoutAFloorAndWithoutUrgentRequestsNothingIsReserved() throws InterruptedException {
    for (int i = 0; i < 240; i++) {
      assertThat(budget.await(20, NO_WAIT)).isEqualTo(GRANTED);
    }
    assertThat(budget.urgentReserve()).isZero();
  }

  @Test
  void refusesWithoutSendingWhenTheWaitIsLongerThanAllowed() throws InterruptedException {
    budget.recordUsedWeight(4790, clock.now());

    Admission admission = budget.await(20, Duration.ofSeconds(10));

    assertThat(admission)
        .isEqualTo(
            new Admission.Refused(
                FailureKind.RATE_LIMITED,
                Instant.parse("2026-11-23T10:01:00Z"),
                "the weight budget is spent until 2026-11-23T10:01:00Z (longer than"
                    + " binance.weight.max.wait); no request sent"));
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void binancesUsedWeightCountsOtherProgramsOnTheIp() throws InterruptedException {
    budget.await(20, NO_WAIT);

    budget.recordUsedWeight(3000, clock.now());

    assertThat(budget.usedWeight()).isEqualTo(3000);
    budget.recordUsedWeight(100, clock.now());
    assertThat(budget.usedWeight()).as("never lowered within the minute").isEqualTo(3000);
    assertThat(registry.get("pmas.binance.weight.used").gauge().value()).isEqualTo(3000);
  }

  @Test
  void aReportFromTheLastMinuteDoesNotCountInThisOne() {
    budget.recordUsedWeight(4000, Instant.parse("2026-11-23T09:59:59Z"));

    assertThat(budget.usedWeight()).isZero();
  }

  @Test
  void aReportFromTheNextMinuteStartsIt() {
    budget.recordUsedWeight(500, Instant.parse("2026-11-23T10:01:00Z"));
    time.advance(Duration.ofSeconds(55));

    assertThat(budget.usedWeight()).isEqualTo(500);
  }

  @Test
  void a429PausesEveryRequestUntilRetryAfterAndHalvesTheShare() throws InterruptedException {
    budget.rateLimited(Optional.of(Duration.ofSeconds(7)));

    assertThat(budget.rateLimitedUntil()).contains(Instant.parse("2026-11-23T10:00:12Z"));
    assertThat(budget.allowedWeight()).isEqualTo(2400);
    assertThat(budget.await(20, Duration.ofSeconds(5))).isInstanceOf(Admission.Refused.class);
    assertThat(budget.await(20, A_MINUTE)).isInstanceOf(Admission.Granted.class);
    assertThat(time.slept()).isEqualTo(Duration.ofSeconds(7));
    assertThat(registry.get("pmas.binance.rate.limited").counter().count()).isEqualTo(1);
  }

  @Test
  void theShareRecoversAfterAMinuteWithout429() {
    budget.rateLimited(Optional.empty());
    assertThat(budget.rateLimitedUntil()).contains(Instant.parse("2026-11-23T10:01:00Z"));
    time.advance(Duration.ofSeconds(56));
    assertThat(budget.allowedWeight()).isEqualTo(2400);

    time.advance(A_MINUTE);

    assertThat(budget.usedWeight()).isZero();
    assertThat(budget.allowedWeight()).isEqualTo(4800);
  }

  @Test
  void a418StopsEveryRequestUntilTheBanEndsAndSaysSo() throws InterruptedException {
    budget.banned(Optional.of(Duration.ofMinutes(10)));

    Admission admission = budget.await(20, Duration.ofHours(1));

    assertThat(admission).isInstanceOf(Admission.Refused.class);
    assertThat(((Admission.Refused) admission).kind()).isEqualTo(FailureKind.IP_BANNED);
    assertThat(time.sleeps()).as("never waits through a ban").isEmpty();
    assertThat(budget.ipBannedUntil()).contains(Instant.parse("2026-11-23T10:10:05Z"));
    assertThat(registry.get("pmas.binance.ip.banned").gauge().value()).isEqualTo(1);
    assertThat(registry.get("pmas.binance.ip.ban.remaining").gauge().value()).isEqualTo(600);

    time.advance(Duration.ofMinutes(10));

    assertThat(budget.ipBannedUntil()).isEmpty();
    assertThat(registry.get("pmas.binance.ip.banned").gauge().value()).isZero();
    assertThat(budget.await(20, NO_WAIT)).isInstanceOf(Admission.Granted.class);
  }

  @Test
  void aBanWithoutRetryAfterLastsBinancesMinimumOfTwoMinutes() {
    budget.banned(Optional.empty());

    assertThat(budget.ipBannedUntil()).contains(Instant.parse("2026-11-23T10:02:05Z"));
  }

  @Test
  void retryAfter_a429sPauseIsCappedAtTheConfiguredMaximum() {
    budget.rateLimited(Optional.of(Duration.ofSeconds(999_999_999)));

    assertThat(budget.rateLimitedUntil()).contains(Instant.parse("2026-11-23T10:01:05Z"));
    time.advance(Duration.ofMinutes(1));
    assertThat(budget.rateLimitedUntil()).isEmpty();
  }

  @Test
  void retryAfter_a418sBanIsItsRetryAfterCappedAtThreeDaysAndTwoMinutesWithoutOne() {
    budget.banned(Optional.of(Duration.ofSeconds(999_999_999)));
    assertThat(budget.ipBannedUntil()).contains(Instant.parse("2026-11-26T10:00:05Z"));

    WeightBudget shortBan = new WeightBudget(6000, new BigDecimal("0.8"), clock, time, registry);
    shortBan.banned(Optional.of(Duration.ofSeconds(2)));
    assertThat(shortBan.ipBannedUntil()).contains(Instant.parse("2026-11-23T10:00:07Z"));

    WeightBudget noHeader = new WeightBudget(6000, new BigDecimal("0.8"), clock, time, registry);
    noHeader.banned(Optional.empty());
    assertThat(noHeader.ipBannedUntil()).contains(Instant.parse("2026-11-23T10:02:05Z"));
  }

  @Test
  void dateClock_aServerClockFarBehindNeverInventsABan() throws InterruptedException {
    for (int i = 0; i < ServerClock.QUORUM; i++) {
      clock.observeDate(
          time.instant().minus(Duration.ofMinutes(59)).truncatedTo(ChronoUnit.SECONDS),
          time.instant(),
          time.instant());
    }
    assertThat(clock.now()).isBefore(time.instant().minus(Duration.ofMinutes(58)));

    assertThat(budget.await(20, NO_WAIT)).isInstanceOf(Admission.Granted.class);
    assertThat(budget.ipBannedUntil()).isEmpty();
    assertThat(budget.rateLimitedUntil()).isEmpty();
  }

  @Test
  void weightWindow_aClockCorrectedBackStartsTheMinuteItNowSays() throws InterruptedException {
    agree(Duration.ofMinutes(40));
    for (int i = 0; i < 240; i++) {
      budget.await(20, NO_WAIT);
    }
    assertThat(budget.await(20, NO_WAIT)).isInstanceOf(Admission.Refused.class);

    agree(Duration.ZERO);

    assertThat(budget.await(20, NO_WAIT)).isInstanceOf(Admission.Granted.class);
    assertThat(budget.usedWeight()).isEqualTo(20);
  }

  @Test
  void weightWindow_aReportFromBeyondTheNextMinuteIsIgnored() {
    budget.recordUsedWeight(4790, Instant.parse("2100-01-01T00:00:00Z"));

    assertThat(budget.usedWeight()).isZero();
    time.advance(A_MINUTE);
    assertThat(budget.usedWeight()).isZero();
  }

  /** Three Date headers agreeing that the server is {@code offset} from here. */
  private void agree(Duration offset) {
    for (int i = 0; i < ServerClock.WINDOW; i++) {
      Instant serverNow = time.instant().plus(offset).truncatedTo(ChronoUnit.SECONDS);
      clock.observeDate(serverNow, time.instant(), time.instant());
    }
  }

  @Test
  void accountsOnManyThreadsShareOneBudget() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Admission>> requests = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        requests.add(() -> budget.await(20, NO_WAIT));
      }
      long granted = 0;
      for (Future<Admission> result : pool.invokeAll(requests)) {
        granted += result.get() instanceof Admission.Granted ? 1 : 0;
      }

      assertThat(granted).isEqualTo(240);
      assertThat(budget.usedWeight()).isEqualTo(4800);
    } finally {
      pool.shutdownNow();
    }
  }
}
