package io.pmaccountstream.streams;

import io.pmaccountstream.kafka.TopicCreation;
import io.pmaccountstream.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the topics of the derivation at start-up: the input must exist (the poller owns it), and
 * derive waits for it; the outputs and the derive dead-letter topic are created when missing, with
 * the input's partition count, {@code pm.account.latest} compacted; an existing latest topic that
 * is not compacted is refused, because consumers building a table from it would otherwise lose
 * accounts to retention.
 */
public final class TopicSetup {

  private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);

  private final Admin admin;
  private final Duration timeout;

  TopicSetup(Admin admin, Duration timeout) {
    this.admin = admin;
    this.timeout = timeout;
  }

  /** Pauses between two looks for the input topic; false when the wait should end (a stop). */
  @FunctionalInterface
  interface Pause {
    boolean pause(Duration duration);
  }

  /**
   * Waits until the input topic exists, logging once; the poller creates it with its first snapshot
   * (or an operator does).
   *
   * @return its partition count, or empty when {@code pause} ended the wait
   */
  Optional<Integer> awaitInput(String input, Duration interval, Pause pause) {
    Optional<TopicDescription> description = describe(input);
    if (description.isEmpty()) {
      log.info(
          "Waiting for input topic {}: it is created by the poller (or an operator); looking"
              + " every {}",
          input,
          interval);
    }
    while (description.isEmpty()) {
      if (!pause.pause(interval)) {
        return Optional.empty();
      }
      description = describe(input);
      if (description.isPresent()) {
        log.info("Input topic {} exists: starting", input);
      }
    }
    return Optional.of(description.get().partitions().size());
  }

  /**
   * Creates the missing outputs (with the input's partition count), or refuses to start when they
   * are missing and {@code create} is false; the latest topic must be compacted.
   */
  void prepareOutputs(Topics topics, int partitions, boolean create, int replicationFactor) {
    List<NewTopic> missing = new ArrayList<>();
    List<String> outputs =
        List.of(
            topics.statusTransitions(),
            topics.lowUniMmr(),
            topics.latest(),
            topics.deriveDeadLetter());
    for (String output : outputs) {
      if (describe(output).isEmpty()) {
        Optional<Short> rf =
            replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor);
        missing.add(newTopic(topics, output, partitions, rf));
      }
    }
    if (!missing.isEmpty() && !create) {
      throw new DeriveStartupException(
          "Output topics missing and derive.create.topics=false: "
              + missing.stream().map(NewTopic::name).toList());
    }
    for (NewTopic topic : missing) {
      create(topic);
    }
    if (missing.stream().noneMatch(t -> t.name().equals(topics.latest()))) {
      requireCompacted(topics.latest());
    }
  }

  /**
   * A topic of the pipeline as derive creates it: {@code topics.latest()} compacted (it holds the
   * latest snapshot per account), any other with the broker's defaults.
   */
  public static NewTopic newTopic(
      Topics topics, String name, int partitions, Optional<Short> replicationFactor) {
    NewTopic topic = new NewTopic(name, Optional.of(partitions), replicationFactor);
    if (name.equals(topics.latest())) {
      topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }
    return topic;
  }

  /** Whether the topic exists and retains at least one record. */
  boolean holdsRecords(String topic) {
    Optional<TopicDescription> description = describe(topic);
    if (description.isEmpty()) {
      return false;
    }
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicPartitionInfo info : description.get().partitions()) {
      TopicPartition partition = new TopicPartition(topic, info.partition());
      earliest.put(partition, OffsetSpec.earliest());
      latest.put(partition, OffsetSpec.latest());
    }
    var start = await("list the earliest offsets of " + topic, admin.listOffsets(earliest).all());
    var end = await("list the latest offsets of " + topic, admin.listOffsets(latest).all());
    return end.entrySet().stream()
        .anyMatch(e -> e.getValue().offset() > start.get(e.getKey()).offset());
  }

  /**
   * Creates, when missing, a one-partition topic that keeps its records forever (no compaction, no
   * retention by time or size).
   */
  void ensureForever(String topic, int replicationFactor) {
    if (describe(topic).isPresent()) {
      return;
    }
    Optional<Short> rf =
        replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor);
    create(
        new NewTopic(topic, Optional.of(1), rf)
            .configs(
                Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG,
                    "-1",
                    TopicConfig.RETENTION_BYTES_CONFIG,
                    "-1")));
  }

  private Optional<TopicDescription> describe(String topic) {
    try {
      return Optional.of(
          await(
              "describe topic " + topic,
              admin.describeTopics(List.of(topic)).topicNameValues().get(topic)));
    } catch (UnknownTopicOrPartitionException e) {
      return Optional.empty();
    }
  }

  private void create(NewTopic topic) {
    if (await("create topic " + topic.name(), () -> TopicCreation.create(admin, topic, timeout))) {
      log.info(
          "Created topic {} ({} partitions, configs {})",
          topic.name(),
          topic.numPartitions(),
          topic.configs());
    } else {
      log.info("Topic {} was created concurrently", topic.name());
    }
  }

  private void requireCompacted(String topic) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config =
        await(
            "describe the configuration of topic " + topic,
            admin.describeConfigs(List.of(resource)).values().get(resource));
    ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
    if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
      throw new DeriveStartupException(
          "Topic "
              + topic
              + " must be compacted (cleanup.policy=compact) to hold the latest snapshot per"
              + " account, but has cleanup.policy="
              + (policy == null ? "(unknown)" : policy.value()));
    }
  }

  /**
   * The result of an admin call; {@link UnknownTopicOrPartitionException} passes through for the
   * callers that expect it, every other failure is a {@link DeriveStartupException} saying what was
   * being done.
   */
  private <T> T await(String action, KafkaFuture<T> future) {
    return await(action, () -> future.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** A wait on Kafka that may fail as {@link KafkaFuture#get} fails. */
  @FunctionalInterface
  private interface Call<T> {
    T get() throws ExecutionException, TimeoutException, InterruptedException;
  }

  /** As {@link #await(String, KafkaFuture)}, for a call that waits itself. */
  private <T> T await(String action, Call<T> call) {
    try {
      return call.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UnknownTopicOrPartitionException) {
        throw (RuntimeException) cause;
      }
      throw new DeriveStartupException("Cannot " + action + ": " + cause, cause);
    } catch (TimeoutException e) {
      throw new DeriveStartupException(
          "Kafka did not answer within " + timeout + " to " + action, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeriveStartupException("Interrupted while trying to " + action, e);
    }
  }
}
