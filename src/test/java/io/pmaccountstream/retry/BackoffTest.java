package io.pmaccountstream.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromTheInitialDelayUpToTheCapWithJitterInTheUpperHalf() {
    Backoff low = Backoff.withEqualJitter(Duration.ofMillis(250), Duration.ofSeconds(5), () -> 0.0);
    Backoff high =
        Backoff.withEqualJitter(Duration.ofMillis(250), Duration.ofSeconds(5), () -> 0.999999);

    assertThat(low.delay(0)).isEqualTo(Duration.ofMillis(125));
    assertThat(high.delay(0)).isEqualTo(Duration.ofMillis(249));
    assertThat(low.delay(1)).isEqualTo(Duration.ofMillis(250));
    assertThat(low.delay(3)).isEqualTo(Duration.ofMillis(1000));
    assertThat(high.delay(3)).isEqualTo(Duration.ofMillis(1999));
    assertThat(low.delay(10)).isEqualTo(Duration.ofMillis(2500));
    assertThat(high.delay(10)).isEqualTo(Duration.ofMillis(4999));
    assertThat(high.delay(Integer.MAX_VALUE)).isLessThanOrEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void withoutJitterWaitsExactlyTheDoublingBoundUpToTheCap() {
    Backoff backoff = Backoff.withoutJitter(Duration.ofSeconds(1), Duration.ofSeconds(10));

    assertThat(java.util.stream.IntStream.range(0, 6).mapToObj(backoff::delay))
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10));
    assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void withoutJitterKeepsSubMillisecondPrecision() {
    Backoff backoff = Backoff.withoutJitter(Duration.ofNanos(1_500_000), Duration.ofMillis(48));

    assertThat(backoff.delay(1)).isEqualTo(Duration.ofNanos(3_000_000));
    assertThat(backoff.delay(5)).isEqualTo(Duration.ofMillis(48));
  }

  @Test
  void anInitialDelayAboveTheCapIsCut() {
    assertThat(Backoff.withoutJitter(Duration.ofSeconds(5), Duration.ofSeconds(2)).delay(0))
        .isEqualTo(Duration.ofSeconds(2));
  }
}
