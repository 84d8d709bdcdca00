package io.pmaccountstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class DeriveAppTest {

  private static DeriveApp.Settings read(Map<String, String> flags) {
    Map<String, String> all = new HashMap<>();
    all.put("bootstrap.servers", "127.0.0.1:9092");
    all.put("schema.registry.url", "http://127.0.0.1:8081");
    all.putAll(flags);
    ConfigReader reader = new ConfigReader(Settings.ofFlags(all));
    DeriveApp.Settings settings = DeriveApp.Settings.from(reader);
    reader.throwIfProblems();
    return settings;
  }

  @Test
  void runsExactlyOnceV2WithTheDefaultApplicationId() {
    Properties props = DeriveApp.streamsProperties(read(Map.of()));

    assertThat(props)
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2")
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "pm-account-stream-derive")
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092")
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 25L)
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1)
        .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1)
        .containsEntry(
            StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
            UndecodableSnapshotHandler.class.getName())
        .doesNotContainKey(StreamsConfig.STATE_DIR_CONFIG);
  }

  @Test
  void appliesConfiguredIdStateDirAndCommitInterval() {
    Properties props =
        DeriveApp.streamsProperties(
            read(
                Map.of(
                    "derive.application.id", "risk-derive",
                    "derive.state.dir", "/var/lib/derive",
                    "derive.commit.interval", "1s",
                    "derive.threads", "2")));

    assertThat(props)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "risk-derive")
        .containsEntry(StreamsConfig.STATE_DIR_CONFIG, Path.of("/var/lib/derive").toString())
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000L)
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
  }

  @Test
  void shipsLatencyTuningThatClientPropertiesOverride() {
    StreamsConfig shipped = new StreamsConfig(DeriveApp.streamsProperties(read(Map.of())));
    StreamsConfig overridden =
        new StreamsConfig(
            DeriveApp.streamsProperties(
                read(
                    Map.of(
                        "kafka.poll.ms", "100",
                        "kafka.producer.linger.ms", "100",
                        "kafka.producer.batch.size", "16384"))));

    assertThat(shipped.getLong(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(10L);
    assertThat(shipped.getProducerConfigs("c"))
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 5)
        .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    assertThat(overridden.getLong(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(100L);
    assertThat(overridden.getProducerConfigs("c"))
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "100")
        .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, "16384");
  }

  @Test
  void passesClientOverridesButKeepsExactlyOnce() {
    Properties props =
        DeriveApp.streamsProperties(
            read(
                Map.of(
                    "kafka.security.protocol", "SASL_SSL",
                    "kafka.processing.guarantee", "at_least_once")));

    assertThat(props)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2");
  }

  @Test
  void reportsEveryInvalidSettingAtOnce() {
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "derive.levels", "0",
                        "derive.hysteresis", "1",
                        "derive.application.id", "bad id!",
                        "derive.commit.interval", "0s")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(4)
                    .anyMatch(p -> p.startsWith("derive.levels"))
                    .anyMatch(p -> p.startsWith("derive.hysteresis"))
                    .anyMatch(p -> p.startsWith("derive.application.id"))
                    .anyMatch(p -> p.startsWith("derive.commit.interval")));
  }

  @Test
  void keepsTheOutputsAndTheChangelogBackwardTransitive() {
    DeriveApp.Settings settings = read(Map.of("derive.application.id", "risk-derive"));
    try (io.pmaccountstream.testing.InMemorySchemaRegistry registry =
        new io.pmaccountstream.testing.InMemorySchemaRegistry()) {
      DeriveApp app =
          DeriveApp.create(
              settings, registry, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
      try {
        assertThat(app.compatibilityTopics())
            .containsExactly(
                "pm.account.status-transitions",
                "pm.account.low-unimmr",
                "pm.account.latest",
                "risk-derive-account-derivation-state-changelog");
      } finally {
        app.close(java.time.Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void settingsListEveryConfigurationKey() {
    assertThat(DeriveApp.Settings.fields())
        .extracting(f -> f.name())
        .contains(
            "bootstrap.servers",
            "schema.registry.url",
            "topic.snapshots",
            "derive.levels",
            "derive.hysteresis",
            "derive.application.id",
            "derive.state.dir",
            "derive.commit.interval")
        .doesNotHaveDuplicates();
  }

  @Test
  void topologyConfigIsValidOrThrowsNeverNull() {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(Map.of("derive.levels", "0", "derive.max.update.time.lead", "-1s")));

    assertThatThrownBy(() -> TopologyConfig.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(2)
                    .anyMatch(p -> p.startsWith("derive.levels"))
                    .anyMatch(p -> p.startsWith("derive.max.update.time.lead")));
    assertThat(TopologyConfig.from(new ConfigReader(Settings.ofFlags(Map.of()))))
        .isEqualTo(TopologyConfig.defaults());
  }

  @Test
  void deriveConfigIsValidOrThrowsListingEveryProblem() {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(
                Map.of(
                    "derive.threads", "0",
                    "derive.replication.factor", "x",
                    "derive.thread.replacements", "-1")));

    assertThatThrownBy(() -> DeriveConfig.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(3)
                    .anyMatch(p -> p.startsWith("derive.threads"))
                    .anyMatch(p -> p.startsWith("derive.replication.factor"))
                    .anyMatch(p -> p.startsWith("derive.thread.replacements")));
  }

  @Test
  void deadLettersGoToTheDeriveDeadLetterTopicThroughBothHandlers() {
    Properties props = DeriveApp.streamsProperties(read(Map.of("topic.derive.dlq", "risk.dlq")));

    assertThat(props)
        .containsEntry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "risk.dlq")
        .containsEntry(
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
            DeadLetterProcessingHandler.class.getName());
  }

  @Test
  void isAliveBeforeStartAndAfterARequestedCloseButNotReadyUntilRunning() {
    try (io.pmaccountstream.testing.InMemorySchemaRegistry registry =
        new io.pmaccountstream.testing.InMemorySchemaRegistry()) {
      DeriveApp app =
          DeriveApp.create(
              read(Map.of()),
              registry,
              new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
      assertThat(app.liveness().check().isUp()).isTrue();
      assertThat(app.readiness().check().reason()).isEqualTo("not started");
      assertThat(app.readiness().check().isUp()).isFalse();
      app.close(java.time.Duration.ofSeconds(5));
      assertThat(app.liveness().check().isUp()).isTrue();
      assertThat(app.readiness().check().isUp()).isFalse();
    }
  }

  @Test
  void judgesAWedgedThreadByTheMainConsumersMaxPollInterval() {
    assertThat(DeriveApp.maxPollInterval(DeriveApp.streamsProperties(read(Map.of()))))
        .as("Kafka's default: Streams does not override it")
        .isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(
            DeriveApp.maxPollInterval(
                DeriveApp.streamsProperties(read(Map.of("kafka.max.poll.interval.ms", "60000")))))
        .isEqualTo(java.time.Duration.ofMinutes(1));
    assertThat(
            DeriveApp.maxPollInterval(
                DeriveApp.streamsProperties(
                    read(
                        Map.of(
                            "kafka.max.poll.interval.ms",
                            "60000",
                            "kafka.main.consumer.max.poll.interval.ms",
                            "120000")))))
        .as("the main consumer's own setting wins")
        .isEqualTo(java.time.Duration.ofMinutes(2));
  }

  @Test
  void emitsFromTheFirstStartByDefault() {
    assertThat(read(Map.of()).derive().emitFrom())
        .isEqualTo(DeriveConfig.EmitFromPolicy.FIRST_START);
    assertThat(read(Map.of("derive.emit.from", "all")).derive().emitFrom())
        .isEqualTo(DeriveConfig.EmitFromPolicy.ALL);
    assertThat(read(Map.of("derive.emit.from", "first-start")).derive().emitFrom())
        .isEqualTo(DeriveConfig.EmitFromPolicy.FIRST_START);
  }

  @Test
  void rejectsAnUnknownEmitFrom() {
    assertThatThrownBy(() -> read(Map.of("derive.emit.from", "yesterday")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("derive.emit.from");
  }

  @Test
  void aConfiguredInstanceIdMakesEachStreamThreadAStaticMember() {
    Properties props =
        DeriveApp.streamsProperties(
            read(Map.of("derive.instance.id", "derive-0", "derive.threads", "2")));
    StreamsConfig config = new StreamsConfig(props);

    assertThat(
            config
                .getMainConsumerConfigs("pm-account-stream-derive", "client", 1)
                .get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
        .as("group.instance.id of StreamThread-1 (Kafka Streams appends the thread index)")
        .isEqualTo("derive-0-1");
    assertThat(
            config
                .getMainConsumerConfigs("pm-account-stream-derive", "client", 2)
                .get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
        .isEqualTo("derive-0-2");
    assertThat(config.getRestoreConsumerConfigs("client"))
        .as("the restore consumer joins no group")
        .doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
  }

  @Test
  void withoutAnInstanceIdMembershipStaysDynamic() {
    StreamsConfig config = new StreamsConfig(DeriveApp.streamsProperties(read(Map.of())));

    assertThat(config.getMainConsumerConfigs("g", "client", 0))
        .doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
  }

  @Test
  void theSessionTimeoutIsThirtySecondsUnlessConfigured() {
    assertThat(
            new StreamsConfig(DeriveApp.streamsProperties(read(Map.of())))
                .getMainConsumerConfigs("g", "client", 0))
        .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30_000);
    assertThat(
            new StreamsConfig(
                    DeriveApp.streamsProperties(read(Map.of("derive.session.timeout", "10s"))))
                .getMainConsumerConfigs("g", "client", 0))
        .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
  }

  @Test
  void consumerKeysDeriveOwnsAreRefusedUnderKafkaPrefixesAllAtOnce() {
    assertThatThrownBy(
            () ->
                read(
                    Map.of(
                        "kafka.session.timeout.ms", "6000",
                        "kafka.main.consumer.group.instance.id", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kafka.session.timeout.ms")
        .hasMessageContaining("derive.session.timeout")
        .hasMessageContaining("kafka.main.consumer.group.instance.id")
        .hasMessageContaining("derive.instance.id");
  }

  @Test
  void theDefaultInstanceIdIsTheNameOfAStatefulSetPod() {
    Map<String, String> pod =
        Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "HOSTNAME", "pm-account-stream-derive-2");

    assertThat(DeriveConfig.defaultInstanceId(pod)).contains("pm-account-stream-derive-2");
    assertThat(
            DeriveConfig.defaultInstanceId(
                Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "HOSTNAME", "derive-7d9f8b-xk2pq")))
        .as("a Deployment's pod: its name changes with every restart")
        .isEmpty();
    assertThat(DeriveConfig.defaultInstanceId(Map.of("HOSTNAME", "build-3")))
        .as("outside Kubernetes: processes on one host share its name")
        .isEmpty();
    assertThat(DeriveConfig.defaultInstanceId(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1")))
        .isEmpty();
  }

  @Test
  void aConfiguredInstanceIdWinsOverThePodName() {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(
                Map.of(
                    "derive.instance.id", "risk-a",
                    "bootstrap.servers", "127.0.0.1:9092")));
    Map<String, String> pod =
        Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "HOSTNAME", "pm-account-stream-derive-0");

    assertThat(DeriveConfig.from(reader, pod).instanceId()).contains("risk-a");
    assertThat(DeriveConfig.from(new ConfigReader(Settings.ofFlags(Map.of())), pod).instanceId())
        .contains("pm-account-stream-derive-0");
  }
}
