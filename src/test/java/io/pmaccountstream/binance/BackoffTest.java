package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromTheInitialDelayUpToTheCapWithJitterInTheUpperHalf() {
    Backoff low = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5), () -> 0.0);
    Backoff high = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5), () -> 0.999999);

    assertThat(low.delay(0)).isEqualTo(Duration.ofMillis(125));
    assertThat(high.delay(0)).isEqualTo(Duration.ofMillis(249));
    assertThat(low.delay(1)).isEqualTo(Duration.ofMillis(250));
    assertThat(low.delay(3)).isEqualTo(Duration.ofMillis(1000));
    assertThat(high.delay(3)).isEqualTo(Duration.ofMillis(1999));
    assertThat(low.delay(10)).isEqualTo(Duration.ofMillis(2500));
    assertThat(high.delay(10)).isEqualTo(Duration.ofMillis(4999));
    assertThat(high.delay(Integer.MAX_VALUE)).isLessThanOrEqualTo(Duration.ofSeconds(5));
  }
}
