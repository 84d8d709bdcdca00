package io.pmaccountstream.serde;

import java.util.Collection;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the value subjects of our topics have the compatibility level the pipeline relies on:
 * {@value #BACKWARD_TRANSITIVE}, because history is replayed with the newest reader, so every new
 * schema must read data written with every older one. Idempotent: a subject already at the level is
 * left alone (one GET), so every component may call it at start-up.
 */
public final class SubjectCompatibility {

  public static final String BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE";

  private static final Logger log = LoggerFactory.getLogger(SubjectCompatibility.class);

  private SubjectCompatibility() {}

  /** Sets {@value #BACKWARD_TRANSITIVE} on {@code <topic>-value} of each topic where it differs. */
  public static void ensureBackwardTransitive(
      SchemaRegistryClient client, Collection<String> topics) {
    for (String topic : topics) {
      ensure(client, ConfluentWireFormat.valueSubject(topic), BACKWARD_TRANSITIVE);
    }
  }

  /**
   * Sets {@code level} on {@code subject} unless it is already set there; true when it changed.
   *
   * @throws SchemaRegistryException when the registry cannot be read or refuses the level
   */
  public static boolean ensure(SchemaRegistryClient client, String subject, String level) {
    Optional<String> current = client.compatibility(subject);
    if (current.isPresent() && current.get().equalsIgnoreCase(level)) {
      log.debug("Subject {} already has compatibility {}", subject, level);
      return false;
    }
    client.setCompatibility(subject, level);
    log.info(
        "Subject {} compatibility: {} -> {}", subject, current.orElse("(registry default)"), level);
    return true;
  }
}
