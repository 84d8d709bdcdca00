package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ServerClockTest {

  private final TestClock time = TestClock.at("2026-11-23T10:00:05Z");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ServerClock clock = new ServerClock(time, registry);

  @Test
  void aServerThreeSecondsAheadIsFollowedOnceThreeDateHeadersAgreeWithoutGettingAheadOfIt() {
    Instant serverNow = null;
    for (int i = 0; i < ServerClock.QUORUM; i++) {
      Instant sent = time.instant();
      time.advance(Duration.ofMillis(80));
      Instant received = time.instant();
      serverNow = received.plusMillis(3000).minusMillis(30);
      assertThat(clock.offset()).as("after %d agreeing headers", i).isZero();

      clock.observeDate(truncateToSecond(serverNow), sent, received);
      time.advance(Duration.ofMillis(300));
    }

    Duration offset = clock.offset();
    assertThat(offset).isBetween(Duration.ofMillis(2000 - 80), Duration.ofMillis(3000));
    assertThat(clock.toServerTime(time.instant().minusMillis(300)))
        .isBeforeOrEqualTo(serverNow.plusMillis(30));
    assertThat(registry.get("pmas.binance.clock.offset").gauge().value())
        .isEqualTo(offset.toMillis());
  }

  @Test
  void aServerThreeSecondsBehindIsFollowedToo() {
    for (int i = 0; i < ServerClock.QUORUM; i++) {
      Instant sent = time.instant();
      time.advance(Duration.ofMillis(40));
      Instant serverNow = time.instant().minusSeconds(3);
      clock.observeDate(truncateToSecond(serverNow), sent, time.instant());
    }

    assertThat(clock.offset()).isBetween(Duration.ofMillis(-4040), Duration.ofMillis(-3000));
  }

  @Test
  void dateClock_oneDateHeaderAloneNeverMovesTheClock() {
    Instant now = time.instant();
    for (Instant lie :
        new Instant[] {
          Instant.parse("1960-01-01T00:00:00Z"),
          Instant.parse("2100-01-01T00:00:00Z"),
          truncateToSecond(now.plus(Duration.ofMinutes(50)))
        }) {
      clock.observeDate(lie, now, now);
      clock.observeDate(truncateToSecond(now), now, now);
      clock.observeDate(truncateToSecond(now), now, now);
    }

    assertThat(clock.offset()).isBetween(Duration.ofMillis(-999), Duration.ZERO);
    assertThat(implausibleSamples()).as("1960 and 2100 are beyond the 1h bound").isEqualTo(2);
  }

  @Test
  void dateClock_aLoneOutlierAmongAgreeingHeadersIsOutvoted() {
    Instant now = time.instant();
    agreeingDates(now.plusSeconds(2), 2);
    clock.observeDate(truncateToSecond(now.plus(Duration.ofMinutes(40))), now, now);
    agreeingDates(now.plusSeconds(2), 1);

    assertThat(clock.offset()).isEqualTo(Duration.ofSeconds(2));
    agreeingDates(now.plusSeconds(2), 5);
    assertThat(clock.offset()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void dateClock_aGenuineJumpIsFollowedByItselfOnceANewQuorumAgrees() {
    Instant now = time.instant();
    agreeingDates(now, 5);
    assertThat(clock.offset()).isZero();

    agreeingDates(now.plusSeconds(7), 2);
    assertThat(clock.offset()).as("two of five are not yet a majority").isZero();
    agreeingDates(now.plusSeconds(7), 1);

    assertThat(clock.offset()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void dateClock_aRejectionWithAnImplausibleDateCannotMoveTheClock() {
    Instant now = time.instant();
    agreeingDates(now, 3);
    clock.observeDate(Instant.parse("1960-01-01T00:00:00Z"), now, now);

    clock.timestampRejected();

    assertThat(clock.offset()).isZero();
    assertThat(implausibleSamples()).isEqualTo(1);
  }

  @Test
  void marzulloFindsTheIntervalMostSamplesShare() {
    Instant t = time.instant();
    assertThat(
            ServerClock.marzullo(
                java.util.List.of(
                    new ServerClock.Interval(0, 1000, t),
                    new ServerClock.Interval(500, 1500, t),
                    new ServerClock.Interval(-99_000, -98_000, t),
                    new ServerClock.Interval(900, 2000, t))))
        .contains(new ServerClock.Agreement(3, 900, 1000));
    assertThat(
            ServerClock.marzullo(
                java.util.List.of(
                    new ServerClock.Interval(0, 10, t), new ServerClock.Interval(10, 20, t))))
        .as("closed intervals that touch agree")
        .contains(new ServerClock.Agreement(2, 10, 10));
    assertThat(ServerClock.marzullo(java.util.List.of())).isEmpty();
  }

  @Test
  void anEstimateConsistentWithTheDateHeaderStays() {
    clock.observeServerTime(time.instant().plusMillis(420), time.instant(), time.instant());
    assertThat(clock.offset()).isEqualTo(Duration.ofMillis(420));

    clock.observeDate(
        truncateToSecond(time.instant().plusMillis(420)), time.instant(), time.instant());

    assertThat(clock.offset()).isEqualTo(Duration.ofMillis(420));
  }

  @Test
  void theTimeEndpointIsMeasuredAtTheRoundTripsMidpoint() {
    Instant sent = time.instant();
    time.advance(Duration.ofMillis(100));

    clock.observeServerTime(sent.plusMillis(50 + 1234), sent, time.instant());

    assertThat(clock.offset()).isEqualTo(Duration.ofMillis(1234));
    assertThat(clock.lastPreciseSync()).contains(time.instant());
  }

  @Test
  void aTimeEndpointThatDisagreesWithAgreeingDateHeadersIsClampedIntoThem() {
    Instant now = time.instant();
    agreeingDates(now.plusSeconds(10), ServerClock.QUORUM);

    clock.observeServerTime(now.plusSeconds(20), now, now);

    assertThat(clock.offset()).isEqualTo(Duration.ofMillis(10_999));
  }

  @Test
  void aTimeEndpointIsNotClampedByOneDateHeader() {
    Instant now = time.instant();
    clock.observeDate(truncateToSecond(now.plus(Duration.ofMinutes(50))), now, now);

    clock.observeServerTime(now.plusMillis(1234), now, now);

    assertThat(clock.offset()).isEqualTo(Duration.ofMillis(1234));
  }

  @Test
  void aTimeEndpointBeyondTheMaximumOffsetIsIgnored() {
    Instant now = time.instant();

    clock.observeServerTime(now.plus(Duration.ofDays(365)), now, now);

    assertThat(clock.offset()).isZero();
    assertThat(clock.lastPreciseSync()).isEmpty();
    assertThat(implausibleSamples()).isEqualTo(1);
  }

  @Test
  void aRejectedTimestampDropsToTheSafeEndOfTheDateEvidence() {
    Instant now = time.instant();
    clock.observeServerTime(now.plusMillis(900), now, now);
    clock.observeDate(truncateToSecond(now.plusMillis(900)), now, now.plusMillis(200));
    assertThat(clock.offset()).isEqualTo(Duration.ofMillis(900));

    clock.timestampRejected();

    assertThat(clock.offset()).isEqualTo(Duration.ofMillis(-200));
  }

  private void agreeingDates(Instant serverNow, int count) {
    for (int i = 0; i < count; i++) {
      clock.observeDate(truncateToSecond(serverNow), time.instant(), time.instant());
    }
  }

  private double implausibleSamples() {
    return registry
        .get("pmas.binance.clock.samples.rejected")
        .tag("reason", "implausible")
        .counter()
        .count();
  }

  private static Instant truncateToSecond(Instant instant) {
    return Instant.ofEpochSecond(instant.getEpochSecond());
  }
}
