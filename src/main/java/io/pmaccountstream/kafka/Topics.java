package io.pmaccountstream.kafka;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import java.util.List;

/**
 * The topic names of the pipeline, in one place; every component reads them from here so that the
 * poller, the derivation, replay and the manifests agree.
 */
public record Topics(
    String snapshots,
    String statusTransitions,
    String lowUniMmr,
    String latest,
    String deadLetter,
    String deriveDeadLetter,
    String riskLevelChanges) {

  private static final String TOPIC_NAME = "[a-zA-Z0-9._-]{1,249}";

  public static final ConfigField<String> SNAPSHOTS =
      ConfigField.string("topic.snapshots", "Account snapshots published by the poller")
          .withDefault("pm.account.snapshots")
          .validate(s -> s.matches(TOPIC_NAME), "a legal Kafka topic name");
  public static final ConfigField<String> STATUS_TRANSITIONS =
      ConfigField.string("topic.status.transitions", "Derived status transitions")
          .withDefault("pm.account.status-transitions")
          .validate(s -> s.matches(TOPIC_NAME), "a legal Kafka topic name");
  public static final ConfigField<String> LOW_UNIMMR =
      ConfigField.string("topic.low.unimmr", "Derived uniMMR level events")
          .withDefault("pm.account.low-unimmr")
          .validate(s -> s.matches(TOPIC_NAME), "a legal Kafka topic name");
  public static final ConfigField<String> LATEST =
      ConfigField.string("topic.latest", "Compacted latest accepted snapshot per account")
          .withDefault("pm.account.latest")
          .validate(s -> s.matches(TOPIC_NAME), "a legal Kafka topic name");
  public static final ConfigField<String> DEAD_LETTER =
      ConfigField.string("topic.dlq", "Dead-letter topic for bad payloads and fatal account errors")
          .withDefault("pm.account.dlq")
          .validate(s -> s.matches(TOPIC_NAME), "a legal Kafka topic name");
  public static final ConfigField<String> DERIVE_DEAD_LETTER =
      ConfigField.string(
              "topic.derive.dlq",
              "Dead-letter topic of derive: input records it cannot decode or derive, original"
                  + " bytes with the reason in headers")
          .withDefault("pm.account.derive.dlq")
          .validate(s -> s.matches(TOPIC_NAME), "a legal Kafka topic name");

  public static final ConfigField<String> RISK_LEVEL_CHANGES =
      ConfigField.string(
              "topic.risk.level.changes",
              "riskLevelChange events of the user-data streams (Avro RiskLevelChange), published by"
                  + " the poller")
          .withDefault("pm.account.risk-level-changes")
          .validate(s -> s.matches(TOPIC_NAME), "a legal Kafka topic name");

  public static Topics defaults() {
    return new Topics(
        SNAPSHOTS.defaultValue().orElseThrow(),
        STATUS_TRANSITIONS.defaultValue().orElseThrow(),
        LOW_UNIMMR.defaultValue().orElseThrow(),
        LATEST.defaultValue().orElseThrow(),
        DEAD_LETTER.defaultValue().orElseThrow(),
        DERIVE_DEAD_LETTER.defaultValue().orElseThrow(),
        RISK_LEVEL_CHANGES.defaultValue().orElseThrow());
  }

  /**
   * Every topic name, valid; or a {@link ConfigException} listing every problem the reader has
   * found (read it with {@link ConfigReader#component} to go on listing the other components'
   * problems).
   */
  public static Topics from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    Topics topics =
        new Topics(
            reader.get(SNAPSHOTS),
            reader.get(STATUS_TRANSITIONS),
            reader.get(LOW_UNIMMR),
            reader.get(LATEST),
            reader.get(DEAD_LETTER),
            reader.get(DERIVE_DEAD_LETTER),
            reader.get(RISK_LEVEL_CHANGES));
    checkpoint.throwIfNewProblems();
    return topics;
  }

  public static List<ConfigField<?>> fields() {
    return List.of(
        SNAPSHOTS,
        STATUS_TRANSITIONS,
        LOW_UNIMMR,
        LATEST,
        DEAD_LETTER,
        DERIVE_DEAD_LETTER,
        RISK_LEVEL_CHANGES);
  }

  /** The same topics with a prefix, for replays that must never touch the live topics. */
  public Topics withPrefix(String prefix) {
    return new Topics(
        prefix + snapshots,
        prefix + statusTransitions,
        prefix + lowUniMmr,
        prefix + latest,
        prefix + deadLetter,
        prefix + deriveDeadLetter,
        prefix + riskLevelChanges);
  }
}
