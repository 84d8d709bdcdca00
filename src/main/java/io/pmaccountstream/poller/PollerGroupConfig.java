package io.pmaccountstream.poller;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How poller instances share the accounts through a Kafka consumer group. Without {@code
 * poller.group.id} the poller polls every configured account on its own, as before.
 *
 * @param groupId the consumer group all instances of one deployment join; empty: no group
 * @param assignmentTopic the topic whose partitions are handed out (nothing is ever written to it)
 * @param assignmentPartitions its partition count when the poller creates it
 * @param sessionTimeout how long a silent instance keeps its accounts before the group moves them
 * @param heartbeatInterval how often an instance tells the group it is alive
 * @param restoreTimeout how long reading an account's last snapshot back may take on assignment
 * @param revokeTimeout how long a revocation waits for the polls in flight and the buffered sends
 */
public record PollerGroupConfig(
    Optional<String> groupId,
    String assignmentTopic,
    int assignmentPartitions,
    Duration sessionTimeout,
    Duration heartbeatInterval,
    Duration restoreTimeout,
    Duration revokeTimeout) {

  public static final ConfigField<String> GROUP_ID =
      ConfigField.string(
          "poller.group.id",
          "Consumer group of the poller instances that share the accounts (each polls the accounts"
              + " of its partitions of poller.assignment.topic); unset: this poller polls every"
              + " configured account");
  public static final ConfigField<String> ASSIGNMENT_TOPIC =
      ConfigField.string(
              "poller.assignment.topic",
              "With poller.group.id: the topic whose partitions the group hands out (an account"
                  + " belongs to partition murmur2(accountId) mod its partition count; nothing is"
                  + " written to it). Created when missing")
          .withDefault("pm.account.poller-assignment");
  public static final ConfigField<Integer> ASSIGNMENT_PARTITIONS =
      ConfigField.integer(
              "poller.assignment.partitions",
              "Partitions of poller.assignment.topic when the poller creates it: the most instances"
                  + " that can share the accounts (an existing topic keeps its own count)")
          .withDefault("64")
          .validate(n -> n >= 1 && n <= 10000, "between 1 and 10000");
  public static final ConfigField<Duration> SESSION_TIMEOUT =
      ConfigField.duration(
              "poller.group.session.timeout",
              "A poller instance silent this long (killed, partitioned) loses its accounts to the"
                  + " others (the broker's group.min.session.timeout.ms, 6s by default, is the floor)")
          .withDefault("6s")
          .validate(d -> d.toMillis() >= 1000, "at least 1s");
  public static final ConfigField<Duration> HEARTBEAT_INTERVAL =
      ConfigField.duration(
              "poller.group.heartbeat.interval",
              "How often a poller instance heartbeats to the group (well below the session timeout)")
          .withDefault("2s")
          .validate(d -> d.toMillis() >= 100, "at least 100ms");
  public static final ConfigField<Duration> RESTORE_TIMEOUT =
      ConfigField.duration(
              "poller.group.restore.timeout",
              "On assignment: longest time to read the assigned accounts' last snapshots back from"
                  + " the snapshot topic (past it an account starts without its history, logged)")
          .withDefault("30s")
          .validate(d -> d.toMillis() > 0, "positive");
  public static final ConfigField<Duration> REVOKE_TIMEOUT =
      ConfigField.duration(
              "poller.group.revoke.timeout",
              "On revocation: longest wait for the account's poll in flight and its buffered"
                  + " snapshots to reach Kafka before the account is given up")
          .withDefault("10s")
          .validate(d -> d.toMillis() > 0, "positive");

  /**
   * Every group setting, valid; or a {@link ConfigException} listing every problem the reader has
   * found (read it with {@link ConfigReader#component} to go on listing the other components').
   */
  public static PollerGroupConfig from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    Optional<String> groupId = reader.read(GROUP_ID).filter(s -> !s.isBlank());
    String assignmentTopic = reader.get(ASSIGNMENT_TOPIC);
    Integer assignmentPartitions = reader.get(ASSIGNMENT_PARTITIONS);
    Duration session = reader.get(SESSION_TIMEOUT);
    Duration heartbeat = reader.get(HEARTBEAT_INTERVAL);
    Duration restoreTimeout = reader.get(RESTORE_TIMEOUT);
    Duration revokeTimeout = reader.get(REVOKE_TIMEOUT);
    reader.requireNotShorter(SESSION_TIMEOUT, session, HEARTBEAT_INTERVAL, heartbeat, true);
    checkpoint.throwIfNewProblems();
    return new PollerGroupConfig(
        groupId,
        assignmentTopic,
        assignmentPartitions,
        session,
        heartbeat,
        restoreTimeout,
        revokeTimeout);
  }

  /** Membership off: this poller polls every configured account. */
  public static PollerGroupConfig none() {
    return new PollerGroupConfig(
        Optional.empty(),
        ASSIGNMENT_TOPIC.parsedDefault(),
        ASSIGNMENT_PARTITIONS.parsedDefault(),
        SESSION_TIMEOUT.parsedDefault(),
        HEARTBEAT_INTERVAL.parsedDefault(),
        RESTORE_TIMEOUT.parsedDefault(),
        REVOKE_TIMEOUT.parsedDefault());
  }

  public boolean enabled() {
    return groupId.isPresent();
  }

  public static List<ConfigField<?>> fields() {
    return List.of(
        GROUP_ID,
        ASSIGNMENT_TOPIC,
        ASSIGNMENT_PARTITIONS,
        SESSION_TIMEOUT,
        HEARTBEAT_INTERVAL,
        RESTORE_TIMEOUT,
        REVOKE_TIMEOUT);
  }
}
