package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PollerConfigTest {

  private static ConfigReader fromEnv(Map<String, String> env) {
    return new ConfigReader(Settings.load(Optional.empty(), env, Map.of()));
  }

  @Test
  void theReliabilityDefaultsAreTheDocumentedOnes() {
    ConfigReader reader = fromEnv(Map.of());

    PollerConfig config = PollerConfig.from(reader);

    assertThat(reader.problems()).isEmpty();
    assertThat(config.publishBufferBytes()).isEqualTo(16L << 20);
    assertThat(config.deadLetterBufferBytes()).isEqualTo(8L << 20);
    assertThat(config.fatalBackoffInitial()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.fatalBackoffMax()).isEqualTo(Duration.ofMinutes(30));
    assertThat(config.staleAfterIntervals()).isEqualTo(3.0);
  }

  @Test
  void reportsEveryBadReliabilitySettingAtOnce() {
    ConfigReader reader =
        fromEnv(
            Map.of(
                "PMAS_POLL_FATAL_BACKOFF_INITIAL", "10m",
                "PMAS_POLL_FATAL_BACKOFF_MAX", "5m",
                "PMAS_POLL_STALE_AFTER_INTERVALS", "0.5",
                "PMAS_POLL_PUBLISH_BUFFER_BYTES", "1000",
                "PMAS_POLL_DLQ_BUFFER_BYTES", "lots"));

    PollerConfig.from(reader);

    assertThat(String.join("\n", reader.problems()))
        .contains(
            "poll.fatal.backoff.max (PT5M) must not be shorter than poll.fatal.backoff.initial",
            "poll.stale.after.intervals",
            "poll.publish.buffer.bytes",
            "poll.dlq.buffer.bytes");
  }
}
