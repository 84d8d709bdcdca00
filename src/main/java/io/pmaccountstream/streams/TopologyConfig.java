package io.pmaccountstream.streams;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the derivation topology needs to be built: the topic names and the derivation rules.
 *
 * @param topics input and output topics
 * @param derivation uniMMR levels and hysteresis
 */
public record TopologyConfig(Topics topics, DerivationConfig derivation) {

  public TopologyConfig {
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(derivation, "derivation");
  }

  public static TopologyConfig defaults() {
    return new TopologyConfig(Topics.defaults(), DerivationConfig.defaults());
  }

  /**
   * Reads and validates the topics and the derivation rules.
   *
   * @throws ConfigException listing every problem the reader has found so far, when any of these
   *     fields is invalid
   */
  public static TopologyConfig from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    Optional<Topics> topics = reader.component(Topics::from);
    Optional<DerivationConfig> derivation = reader.component(DerivationConfig::from);
    checkpoint.throwIfNewProblems();
    return new TopologyConfig(topics.orElseThrow(), derivation.orElseThrow());
  }

  public static List<ConfigField<?>> fields() {
    List<ConfigField<?>> fields = new ArrayList<>(Topics.fields());
    fields.addAll(DerivationConfig.fields());
    return List.copyOf(fields);
  }
}
