package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;

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

    PollerGroupConfig.from(reader);

    assertThat(reader.problems())
        .anySatisfy(p -> assertThat(p).contains("poller.assignment.partitions"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("poller.group.heartbeat.interval")
                    .contains("shorter than poller.group.session.timeout"));
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
