package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoopHeartbeatTest {

  @Test
  void aLoopWhoseThreadEndedIsStalledAtOnce() throws InterruptedException {
    LoopHeartbeat beat = new LoopHeartbeat("sender", Duration.ofHours(1));
    Thread thread = new Thread(beat::beat);
    beat.runsOn(thread);
    thread.start();
    thread.join();

    assertThat(beat.stalled()).hasValueSatisfying(r -> assertThat(r).contains("sender", "ended"));
  }

  @Test
  void aLoopSilentForLongerThanAllowedIsStalledAndABeatRevivesIt() {
    LoopHeartbeat beat = new LoopHeartbeat("ticker", Duration.ofMillis(50));
    assertThat(beat.stalled()).isEmpty();

    await().atMost(Duration.ofSeconds(2)).until(() -> beat.stalled().isPresent());
    assertThat(beat.stalled().get()).contains("ticker", "no turn");
    beat.beat();
    assertThat(beat.stalled()).isEmpty();
  }

  @Test
  void aLoopStoppedOnPurposeIsNoLivenessConcern() throws InterruptedException {
    LoopHeartbeat beat = new LoopHeartbeat("sender", Duration.ofMillis(1));
    Thread thread = new Thread(beat::stopped);
    beat.runsOn(thread);
    thread.start();
    thread.join();

    assertThat(beat.stalled()).isEmpty();
  }
}
