package io.pmaccountstream.streams;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.serde.SchemaRegistryException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class ThreadReplacementPolicyTest {

  private Instant now = Instant.parse("2024-11-23T12:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  private final ThreadReplacementPolicy policy =
      new ThreadReplacementPolicy(2, Duration.ofMinutes(10), clock);

  private static StreamsException crash() {
    return new StreamsException(new IllegalStateException("boom"));
  }

  @Test
  void replacesACrashedThreadUpToTheLimitThenShutsTheClientDown() {
    assertThat(policy.handle(crash())).isEqualTo(REPLACE_THREAD);
    now = now.plusSeconds(60);
    assertThat(policy.handle(crash())).isEqualTo(REPLACE_THREAD);
    now = now.plusSeconds(60);
    assertThat(policy.handle(crash())).isEqualTo(SHUTDOWN_CLIENT);
  }

  @Test
  void forgetsReplacementsOlderThanTheWindow() {
    policy.handle(crash());
    policy.handle(crash());
    now = now.plus(Duration.ofMinutes(10));

    assertThat(policy.handle(crash())).isEqualTo(REPLACE_THREAD);
  }

  @Test
  void shutsDownAtOnceOnAJvmError() {
    assertThat(policy.handle(new StreamsException(new OutOfMemoryError("heap"))))
        .isEqualTo(SHUTDOWN_CLIENT);
  }

  @Test
  void zeroReplacementsShutsDownOnTheFirstCrash() {
    ThreadReplacementPolicy none = new ThreadReplacementPolicy(0, Duration.ofMinutes(1), clock);

    assertThat(none.handle(crash())).isEqualTo(SHUTDOWN_CLIENT);
  }

  private final List<Duration> slept = new ArrayList<>();

  private static StreamsException registryDown() {
    return new StreamsException(
        new SerializationException(
            "cannot fetch schema",
            SchemaRegistryException.unreachable(
                "fetch schema id 1", "http://127.0.0.1:1", new ConnectException("refused"))));
  }

  @Test
  void aRegistryOutageIsWaitedOutWithBackOffAndNeverShutsTheClientDown() {
    ThreadReplacementPolicy patient =
        new ThreadReplacementPolicy(1, Duration.ofMinutes(10), clock, slept::add);

    for (int i = 0; i < 8; i++) {
      assertThat(patient.handle(registryDown())).isEqualTo(REPLACE_THREAD);
      now = now.plusSeconds(5);
    }

    assertThat(slept)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10));
    // the outage did not use up the budget for other crashes
    assertThat(patient.handle(crash())).isEqualTo(REPLACE_THREAD);
  }

  @Test
  void theBackOffStartsOverAfterAQuietWindow() {
    ThreadReplacementPolicy patient =
        new ThreadReplacementPolicy(1, Duration.ofMinutes(10), clock, slept::add);
    patient.handle(registryDown());
    patient.handle(registryDown());
    now = now.plus(Duration.ofMinutes(11));

    patient.handle(registryDown());

    assertThat(slept)
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1));
  }
}
