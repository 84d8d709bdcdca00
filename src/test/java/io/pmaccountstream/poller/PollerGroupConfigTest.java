package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PollerGroupConfigTest {

  private static ConfigReader reader(Map<String, String> flags) {
    return new ConfigReader(Settings.load(Optional.empty(), Map.of(), flags));
  }

  @Test
  void membershipIsOffByDefaultWithTheDocumentedGroupSettings() {
    ConfigReader reader = reader(Map.of());

    PollerGroupConfig config = PollerGroupConfig.from(reader);

    assertThat(reader.problems()).isEmpty();
    assertThat(config.enabled()).isFalse();
    assertThat(config.assignmentTopic()).isEqualTo("pm.account.poller-assignment");
    assertThat(config.assignmentPartitions()).isEqualTo(64);
    assertThat(config.sessionTimeout()).isEqualTo(Duration.ofSeconds(6));
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config).isEqualTo(PollerGroupConfig.none());
  }

  @Test
  void aGroupIdTurnsMembershipOn() {
    PollerGroupConfig config = PollerGroupConfig.from(reader(Map.of("poller.group.id", "pollers")));

    assertThat(config.groupId()).contains("pollers");
    assertThat(config.enabled()).isTrue();
  }

  @Test
  void everyBadGroupSettingIsReportedAtOnce() {
    ConfigReader reader =
        reader(
            Map.of(
                "poller.group.id", "pollers",
                "poller.group.session.timeout", "5s",
                "poller.group.heartbeat.interval", "5s",
                "poller.assignment.partitions", "0"));

    assertThatThrownBy(() -> PollerGroupConfig.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.problems()).isEqualTo(reader.problems()));

    assertThat(reader.problems())
        .anySatisfy(p -> assertThat(p).contains("poller.assignment.partitions"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "poller.group.session.timeout (PT5S) must be longer than"
                            + " poller.group.heartbeat.interval (PT5S)"));
  }

  @Test
  void everyInvalidFieldIsNamedInOneConfigExceptionInsteadOfAZeroOrNull() {
    ConfigReader reader =
        reader(
            Map.of(
                "poller.assignment.partitions", "many",
                "poller.group.session.timeout", "500ms",
                "poller.group.heartbeat.interval", "10ms",
                "poller.group.restore.timeout", "0s",
                "poller.group.revoke.timeout", "-1s"));

    assertThatThrownBy(() -> PollerGroupConfig.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(5)
                    .anySatisfy(p -> assertThat(p).startsWith("poller.assignment.partitions"))
                    .anySatisfy(p -> assertThat(p).startsWith("poller.group.session.timeout"))
                    .anySatisfy(p -> assertThat(p).startsWith("poller.group.heartbeat.interval"))
                    .anySatisfy(p -> assertThat(p).startsWith("poller.group.restore.timeout"))
                    .anySatisfy(p -> assertThat(p).startsWith("poller.group.revoke.timeout")));
  }

  @Test
  void aValidGroupConfigurationIsFullyFilled() {
    PollerGroupConfig config =
        PollerGroupConfig.from(
            reader(
                Map.of(
                    "poller.group.id", "pollers",
                    "poller.assignment.topic", "assign",
                    "poller.assignment.partitions", "8",
                    "poller.group.session.timeout", "10s",
                    "poller.group.heartbeat.interval", "3s",
                    "poller.group.restore.timeout", "20s",
                    "poller.group.revoke.timeout", "5s")));

    assertThat(config)
        .isEqualTo(
            new PollerGroupConfig(
                Optional.of("pollers"),
                "assign",
                8,
                Duration.ofSeconds(10),
                Duration.ofSeconds(3),
                Duration.ofSeconds(20),
                Duration.ofSeconds(5)));
  }

  @Test
  void theGroupInstanceIdIsTheInstanceNameInCharactersKafkaAccepts() {
    assertThat(PollerGroup.groupInstanceId("1234@host.example")).isEqualTo("1234-host.example");
    assertThat(PollerGroup.groupInstanceId("pm-account-stream-poller-7d9f_x"))
        .isEqualTo("pm-account-stream-poller-7d9f_x");
  }

  @Test
  void theGroupConsumerIsCooperativeStickyOnTheClassicProtocolWithTheShortSession() {
    PollerGroupConfig config = PollerGroupConfig.from(reader(Map.of("poller.group.id", "pollers")));

    Map<String, Object> props = PollerGroup.consumerSettings(config, "poller-a");

    assertThat(props)
        .containsEntry("group.id", "pollers")
        .containsEntry("group.instance.id", "poller-a")
        .containsEntry("group.protocol", "classic")
        .containsEntry(
            "partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor")
        .containsEntry("session.timeout.ms", "6000")
        .containsEntry("heartbeat.interval.ms", "2000")
        .containsEntry("enable.auto.commit", "false");
  }
}
