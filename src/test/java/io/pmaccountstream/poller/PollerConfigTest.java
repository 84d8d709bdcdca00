package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
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
  void aValidConfigurationIsFullyFilled() {
    PollerConfig config =
        PollerConfig.from(fromEnv(Map.of("PMAS_POLLER_INSTANCE_ID", "poller-eu-1")));

    assertThat(config)
        .isEqualTo(
            new PollerConfig(
                Duration.ofSeconds(5),
                0.1,
                EmissionPolicy.CHANGES,
                Duration.ofSeconds(60),
                32,
                Duration.ofSeconds(30),
                "poller-eu-1",
                8L << 20,
                Duration.ofSeconds(1),
                16L << 20,
                Duration.ofMinutes(1),
                Duration.ofMinutes(30),
                3.0));
  }

  @Test
  void everyInvalidFieldIsNamedInOneConfigExceptionInsteadOfAZeroOrNull() {
    ConfigReader reader =
        fromEnv(
            Map.of(
                "PMAS_POLL_INTERVAL", "1ms",
                "PMAS_POLL_JITTER", "1",
                "PMAS_POLL_EMIT", "sometimes",
                "PMAS_POLL_HEARTBEAT", "0s",
                "PMAS_POLL_MAX_CONCURRENT", "0",
                "PMAS_POLL_SHUTDOWN_TIMEOUT", "soon",
                "PMAS_PUBLISH_RETRY_BACKOFF", "0s"));

    assertThatThrownBy(() -> PollerConfig.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(7)
                    .anySatisfy(p -> assertThat(p).startsWith("poll.interval = '1ms'"))
                    .anySatisfy(p -> assertThat(p).startsWith("poll.jitter = '1'"))
                    .anySatisfy(p -> assertThat(p).startsWith("poll.emit = 'sometimes'"))
                    .anySatisfy(p -> assertThat(p).startsWith("poll.heartbeat = '0s'"))
                    .anySatisfy(p -> assertThat(p).startsWith("poll.max.concurrent = '0'"))
                    .anySatisfy(p -> assertThat(p).startsWith("poll.shutdown.timeout = 'soon'"))
                    .anySatisfy(p -> assertThat(p).startsWith("publish.retry.backoff = '0s'"))
                    .isEqualTo(reader.problems()));
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

    assertThatThrownBy(() -> PollerConfig.from(reader)).isInstanceOf(ConfigException.class);

    assertThat(String.join("\n", reader.problems()))
        .contains(
            "poll.fatal.backoff.max (PT5M) must not be shorter than poll.fatal.backoff.initial",
            "poll.stale.after.intervals",
            "poll.publish.buffer.bytes",
            "poll.dlq.buffer.bytes");
  }

  @Test
  void theDefaultInstanceIdIsTheHostNameAndTheJvmStartInEpochMillis() {
    PollerConfig config = PollerConfig.from(fromEnv(Map.of()));

    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    assertThat(config.instanceId()).endsWith("@" + jvmStart).doesNotStartWith("@");
    assertThat(config.instanceId())
        .isEqualTo(
            PollerConfig.hostName(
                    System.getenv("HOSTNAME"), ManagementFactory.getRuntimeMXBean().getName())
                + "@"
                + jvmStart);
  }

  @Test
  void aRestartedContainerGetsANewInstanceIdSoInstanceAndSequenceNeverRepeat() {
    // In Kubernetes every start of the container is pid 1 in the same pod: the old pid@host
    // default gave both starts the id 1@<pod> and both count sequences from 1.
    String pod = PollerConfig.hostName("pm-account-stream-poller-7d9f-abc12", "1@ignored");
    String first = PollerConfig.instanceId(pod, Instant.ofEpochMilli(1764583200123L));
    String restarted = PollerConfig.instanceId(pod, Instant.ofEpochMilli(1764583212345L));

    assertThat(first).isEqualTo("pm-account-stream-poller-7d9f-abc12@1764583200123");
    assertThat(restarted).isEqualTo("pm-account-stream-poller-7d9f-abc12@1764583212345");
  }

  @Test
  void withoutHostnameVariableTheHostComesFromTheJvmName() {
    assertThat(PollerConfig.hostName(null, "4711@build-box")).isEqualTo("build-box");
    assertThat(PollerConfig.hostName(" ", "4711@build-box")).isEqualTo("build-box");
    assertThat(PollerConfig.hostName(null, "4711")).isEqualTo("localhost");
  }

  @Test
  void aConfiguredInstanceIdIsUsedAsGiven() {
    PollerConfig config =
        PollerConfig.from(fromEnv(Map.of("PMAS_POLLER_INSTANCE_ID", "poller-eu-1")));

    assertThat(config.instanceId()).isEqualTo("poller-eu-1");
  }
}
