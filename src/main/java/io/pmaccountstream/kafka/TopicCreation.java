package io.pmaccountstream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates a topic unless it exists, the one way for every component that creates its topics. A
 * topic that exists is left as it is (its partitions and configs are neither checked nor changed);
 * one that someone else creates at the same moment counts as existing. Failures come back as Kafka
 * reports them, for the caller to say what it was doing.
 */
public final class TopicCreation {

  private TopicCreation() {}

  /**
   * Creates those of {@code topics} that are not listed yet (so that a client without {@code
   * CREATE} can start against topics an operator made).
   *
   * @return the topics this call created
   * @throws ExecutionException with Kafka's reason when listing or creating failed
   */
  public static List<NewTopic> createMissing(Admin admin, List<NewTopic> topics, Duration timeout)
      throws ExecutionException, TimeoutException, InterruptedException {
    Set<String> existing =
        admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    List<NewTopic> created = new ArrayList<>();
    for (NewTopic topic : topics) {
      if (!existing.contains(topic.name()) && create(admin, topic, timeout)) {
        created.add(topic);
      }
    }
    return created;
  }

  /**
   * Creates the topic.
   *
   * @return false when it exists already
   * @throws ExecutionException with Kafka's reason when creating failed otherwise
   */
  public static boolean create(Admin admin, NewTopic topic, Duration timeout)
      throws ExecutionException, TimeoutException, InterruptedException {
    try {
      admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return false;
      }
      throw e;
    }
  }
}
