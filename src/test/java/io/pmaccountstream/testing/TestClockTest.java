package io.pmaccountstream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TestClockTest {

  private final TestClock clock = TestClock.at("2026-11-23T10:00:05Z");

  @Test
  void movesOnlyWhenMovedOrSleptOn() throws InterruptedException {
    assertThat(clock.instant()).isEqualTo("2026-11-23T10:00:05Z");

    clock.advance(Duration.ofSeconds(1));
    clock.sleep(Duration.ofMillis(250));
    clock.sleep(Duration.ofSeconds(2));

    assertThat(clock.instant()).isEqualTo("2026-11-23T10:00:08.250Z");
    assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(250), Duration.ofSeconds(2));
    assertThat(clock.slept()).isEqualTo(Duration.ofMillis(2_250));

    clock.set(Instant.parse("2026-11-24T00:00:00Z"));
    assertThat(clock.millis()).isEqualTo(Instant.parse("2026-11-24T00:00:00Z").toEpochMilli());
  }

  @Test
  void sleepingWhileInterruptedThrowsAndDoesNotMoveTheClock() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> clock.sleep(Duration.ofSeconds(1)))
          .isInstanceOf(InterruptedException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(clock.sleeps()).isEmpty();
    assertThat(clock.instant()).isEqualTo("2026-11-23T10:00:05Z");
  }

  @Test
  void aTickingClockMovesEachTimeItIsRead() {
    TestClock ticking = TestClock.ticking(Instant.EPOCH, Duration.ofSeconds(1));

    assertThat(ticking.millis()).isEqualTo(1_000);
    assertThat(ticking.instant()).isEqualTo(Instant.ofEpochSecond(2));
    assertThat(ticking.millis()).isEqualTo(3_000);
  }
}
