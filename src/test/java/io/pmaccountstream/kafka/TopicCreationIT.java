package io.pmaccountstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.testing.KafkaBrokerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopicCreationIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @Test
  void createsOnlyTheMissingTopicsAndLeavesAnExistingOneAsItIs() throws Exception {
    String existing = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("existing"), 1);
    String missing = KafkaBrokerExtension.uniqueTopic("missing");
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      List<NewTopic> created =
          TopicCreation.createMissing(
              admin,
              List.of(
                  new NewTopic(existing, Optional.of(4), Optional.empty()),
                  new NewTopic(missing, Optional.of(2), Optional.empty())),
              TIMEOUT);

      assertThat(created).extracting(NewTopic::name).containsExactly(missing);
      Map<String, TopicDescription> topics =
          admin
              .describeTopics(List.of(existing, missing))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS);
      assertThat(topics.get(existing).partitions()).hasSize(1);
      assertThat(topics.get(missing).partitions()).hasSize(2);
    }
  }

  @Test
  void creatingATopicThatExistsAnswersFalseInsteadOfFailing() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("twice");
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      NewTopic definition = new NewTopic(topic, Optional.of(1), Optional.empty());

      assertThat(TopicCreation.create(admin, definition, TIMEOUT)).isTrue();
      assertThat(TopicCreation.create(admin, definition, TIMEOUT)).isFalse();
    }
  }
}
