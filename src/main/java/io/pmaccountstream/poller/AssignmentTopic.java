package io.pmaccountstream.poller;

import io.pmaccountstream.kafka.TopicCreation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poller assignment topic: only its partitions matter (the group hands them out), nothing is
 * written to it. Created with the configured partition count when missing.
 */
final class AssignmentTopic {

  private static final Logger log = LoggerFactory.getLogger(AssignmentTopic.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private AssignmentTopic() {}

  /** Creates the topic unless it exists; an existing topic keeps its partition count. */
  static void ensure(Map<String, Object> clientProperties, String topic, int partitions) {
    try (Admin admin = Admin.create(clientProperties)) {
      NewTopic assignment = new NewTopic(topic, Optional.of(partitions), Optional.empty());
      if (!TopicCreation.createMissing(admin, List.of(assignment), TIMEOUT).isEmpty()) {
        log.info("created the poller assignment topic {} with {} partitions", topic, partitions);
      }
    } catch (ExecutionException e) {
      throw new KafkaException(
          "cannot create the poller assignment topic "
              + topic
              + " ("
              + e.getCause()
              + "): create it with "
              + partitions
              + " partitions, or grant this poller CREATE on it",
          e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaException("listing or creating topic " + topic + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while creating topic " + topic, e);
    }
  }
}
