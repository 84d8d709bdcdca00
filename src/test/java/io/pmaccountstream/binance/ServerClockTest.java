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
  void aServerThreeSecondsAheadIsFollowedWithoutEverGettingAheadOfIt() {
    Instant sent = time.instant();
    time.advance(Duration.ofMillis(80));
    Instant received = time.instant();
    Instant serverNow = received.plusMillis(3000).minusMillis(30);

    clock.observeDate(truncateToSecond(serverNow), sent, received);

    Duration offset = clock.offset();
    assertThat(offset).isBetween(Duration.ofMillis(2000 - 80), Duration.ofMillis(3000));
    assertThat(clock.now()).isBeforeOrEqualTo(serverNow.plusMillis(30));
    assertThat(registry.get("pmas.binance.clock.offset").gauge().value())
        .isEqualTo(offset.toMillis());
  }

  @Test
  void aServerThreeSecondsBehindIsFollowedToo() {
    Instant sent = time.instant();
    time.advance(Duration.ofMillis(40));
    Instant serverNow = time.instant().minusSeconds(3);

    clock.observeDate(truncateToSecond(serverNow), sent, time.instant());

    assertThat(clock.offset()).isBetween(Duration.ofMillis(-4040), Duration.ofMillis(-3000));
    assertThat(clock.now()).isBeforeOrEqualTo(serverNow);
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
  void aTimeEndpointThatDisagreesWithFreshDateHeadersIsClampedIntoThem() {
    Instant now = time.instant();
    clock.observeDate(truncateToSecond(now.plusSeconds(10)), now, now);

    clock.observeServerTime(now.plusSeconds(20), now, now);

    assertThat(clock.offset()).isLessThanOrEqualTo(Duration.ofMillis(10_999));
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

  private static Instant truncateToSecond(Instant instant) {
    return Instant.ofEpochSecond(instant.getEpochSecond());
  }
}
