package io.pmaccountstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GrouplessConsumerTest {

  private static final Map<String, Object> CLIENT =
      Map.of(
          "bootstrap.servers", "broker:9092",
          "group.id", "someone-elses",
          "group.instance.id", "pod-0",
          "enable.auto.commit", "true",
          "security.protocol", "SSL");

  @Test
  void readCommittedDropsTheGroupAndAutoCommitAndKeepsTheRest() {
    assertThat(GrouplessConsumer.readCommitted(CLIENT))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "bootstrap.servers", "broker:9092",
                "isolation.level", "read_committed",
                "enable.auto.commit", "false",
                "security.protocol", "SSL"));
  }

  @Test
  void readAsConfiguredLeavesTheIsolationLevelToTheConfiguration() {
    assertThat(GrouplessConsumer.readAsConfigured(CLIENT))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "bootstrap.servers", "broker:9092",
                "enable.auto.commit", "false",
                "security.protocol", "SSL"));
    assertThat(GrouplessConsumer.readAsConfigured(Map.of("isolation.level", "read_committed")))
        .containsEntry("isolation.level", "read_committed");
  }

  @Test
  void theGivenPropertiesAreNotChanged() {
    GrouplessConsumer.readCommitted(CLIENT);

    assertThat(CLIENT).containsEntry("group.id", "someone-elses").hasSize(5);
  }
}
