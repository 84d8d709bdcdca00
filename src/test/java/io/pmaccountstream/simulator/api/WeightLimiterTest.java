package io.pmaccountstream.simulator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WeightLimiterTest {

  private static final String IP = "127.0.0.1";
  private final TestClock clock = TestClock.at("2026-11-23T10:00:00Z");
  private final WeightLimiter limiter = new WeightLimiter(100, Duration.ofMinutes(2), clock);

  @Test
  void countsWeightPerCalendarMinute() {
    assertThat(limiter.acquire(IP, 20).usedWeight()).isEqualTo(20);
    clock.advance(Duration.ofSeconds(59));
    assertThat(limiter.acquire(IP, 20).usedWeight()).isEqualTo(40);
    clock.advance(Duration.ofSeconds(1));
    assertThat(limiter.acquire(IP, 20).usedWeight()).isEqualTo(20);
  }

  @Test
  void countsEachIpSeparately() {
    limiter.acquire(IP, 100);

    assertThat(limiter.acquire("10.0.0.2", 20).allowed()).isTrue();
    assertThat(limiter.used("10.0.0.2")).isEqualTo(20);
  }

  @Test
  void answers429PastTheLimitWithRetryAfterUntilTheNextMinute() {
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.acquire(IP, 20).allowed()).isTrue();
    }
    clock.advance(Duration.ofMillis(15_500));

    WeightLimiter.Decision decision = limiter.acquire(IP, 20);

    assertThat(decision.outcome()).isEqualTo(WeightLimiter.Outcome.LIMITED);
    assertThat(decision.usedWeight()).isEqualTo(120);
    assertThat(decision.retryAfterSeconds()).isEqualTo(45);
  }

  @Test
  void bansTheIpWhenRequestsKeepComingAfterA429() {
    limiter.acquire(IP, 100);
    assertThat(limiter.acquire(IP, 20).outcome()).isEqualTo(WeightLimiter.Outcome.LIMITED);
    clock.advance(Duration.ofSeconds(1));

    WeightLimiter.Decision banned = limiter.acquire(IP, 20);

    assertThat(banned.outcome()).isEqualTo(WeightLimiter.Outcome.BANNED);
    assertThat(banned.retryAfterSeconds()).isEqualTo(120);
    assertThat(banned.bannedUntilMillis()).isEqualTo(clock.millis() + 120_000);
    clock.advance(Duration.ofSeconds(100));
    assertThat(limiter.acquire(IP, 20).outcome()).isEqualTo(WeightLimiter.Outcome.BANNED);
    assertThat(limiter.acquire(IP, 20).retryAfterSeconds()).isEqualTo(20);
  }

  @Test
  void aClientThatWaitsOutTheRetryAfterIsNotBanned() {
    limiter.acquire(IP, 100);
    WeightLimiter.Decision limited = limiter.acquire(IP, 20);
    clock.advance(limited.retryAfter());

    assertThat(limiter.acquire(IP, 20).outcome()).isEqualTo(WeightLimiter.Outcome.ALLOWED);
  }

  @Test
  void repeatedBansDoubleUpToThreeDays() {
    long[] bans = new long[14];
    for (int i = 0; i < bans.length; i++) {
      limiter.acquire(IP, 1_000);
      WeightLimiter.Decision limited = limiter.acquire(IP, 1);
      assertThat(limited.outcome()).isNotEqualTo(WeightLimiter.Outcome.ALLOWED);
      WeightLimiter.Decision banned = limiter.acquire(IP, 1);
      bans[i] = banned.retryAfterSeconds();
      clock.advance(banned.retryAfter().plusMinutes(1));
    }

    assertThat(bans[0]).isEqualTo(120);
    assertThat(bans[1]).isEqualTo(240);
    assertThat(bans[2]).isEqualTo(480);
    assertThat(bans[11]).isEqualTo(Duration.ofMinutes(2).multipliedBy(2048).toSeconds());
    assertThat(bans[12]).isEqualTo(Duration.ofDays(3).toSeconds());
    assertThat(bans[13]).isEqualTo(Duration.ofDays(3).toSeconds());
  }
}
