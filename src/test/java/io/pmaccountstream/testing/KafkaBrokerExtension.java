package io.pmaccountstream.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * A real Kafka broker for {@code *IT} tests: a single-node KRaft cluster in this JVM (Kafka's
 * {@code KafkaClusterTestKit}, listeners on 127.0.0.1), or the external cluster named by the
 * environment variable {@value #EXTERNAL_ENV} when it is set.
 *
 * <p>Register it in a static field; use the broker through the field:
 *
 * <pre>{@code
 * class SnapshotPublisherIT {
 *   @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();
 *
 *   @Test
 *   void publishesOneRecordPerSnapshot() {
 *     String topic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 1);
 *     ... new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), ...)) ...
 *   }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #shared()}: one broker for the whole test run, started by the first class that needs
 *       it and stopped when the run ends. Tests share it, so they use unique topic names ({@link
 *       #uniqueTopic}) and consumer group ids.
 *   <li>{@link #dedicated()}: a broker of the test class's own, stopped after the class. Only it
 *       can be taken down and brought back ({@link #stopBroker()}, {@link #restartBroker()}) on the
 *       same address with its data kept, to test outages. Against an external cluster those two
 *       calls abort the test (reported as skipped, with the reason) instead of passing it.
 * </ul>
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, BeforeEachCallback {

  /** Set to {@code host:port[,...]} to run the ITs against an existing cluster. */
  public static final String EXTERNAL_ENV = "KAFKA_BOOTSTRAP_SERVERS";

  private static final Namespace NAMESPACE = Namespace.create(KafkaBrokerExtension.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

  private final boolean dedicated;
  private final Optional<String> external;
  private volatile InJvmKafkaBroker broker;

  private KafkaBrokerExtension(boolean dedicated, Optional<String> external) {
    this.dedicated = dedicated;
    this.external = external;
  }

  /** The broker shared by every test class of the run. */
  public static KafkaBrokerExtension shared() {
    return new KafkaBrokerExtension(false, externalBootstrapServers());
  }

  /** A broker for this test class alone, which the test may stop and restart. */
  public static KafkaBrokerExtension dedicated() {
    return new KafkaBrokerExtension(true, externalBootstrapServers());
  }

  private static Optional<String> externalBootstrapServers() {
    return Optional.ofNullable(System.getenv(EXTERNAL_ENV)).filter(s -> !s.isBlank());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    ensureStarted(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    // Also covers registration in a non-static field, where JUnit does not call beforeAll.
    ensureStarted(context);
  }

  private synchronized void ensureStarted(ExtensionContext context) {
    if (external.isPresent() || broker != null) {
      return;
    }
    if (dedicated) {
      // Closed by JUnit with the context (the test class), even if the class fails.
      broker =
          context
              .getStore(NAMESPACE)
              .getOrComputeIfAbsent(
                  "dedicated-" + System.identityHashCode(this),
                  key -> InJvmKafkaBroker.start(),
                  InJvmKafkaBroker.class);
    } else {
      // The root store is closed when the whole run ends.
      broker =
          context
              .getRoot()
              .getStore(NAMESPACE)
              .getOrComputeIfAbsent(
                  "shared", key -> InJvmKafkaBroker.start(), InJvmKafkaBroker.class);
    }
  }

  /** {@code host:port} of the broker, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return external.orElseGet(() -> started().bootstrapServers());
  }

  /** Whether the tests run against the external cluster of {@value #EXTERNAL_ENV}. */
  public boolean isExternal() {
    return external.isPresent();
  }

  /** Client settings that reach the broker; add serializers, group id etc. to a copy. */
  public Map<String, Object> clientConfig() {
    return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
  }

  /** An admin client for this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(clientConfig());
  }

  /** A topic name no other test uses: {@code prefix-<random>}. */
  public static String uniqueTopic(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Creates a topic with the cluster's default replication factor and waits until it exists.
   *
   * @return the topic name, for chaining
   */
  public String createTopic(String name, int partitions) {
    createTopics(new NewTopic(name, Optional.of(partitions), Optional.empty()));
    return name;
  }

  /** Creates topics (for example compacted ones, through {@link NewTopic#configs}) and waits. */
  public void createTopics(NewTopic... topics) {
    List<NewTopic> list = Arrays.asList(topics);
    try (Admin admin = admin()) {
      admin.createTopics(list).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create topics " + list, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics " + list, e);
    }
  }

  /**
   * Aborts the calling test unless this broker can be stopped and restarted (a {@link #dedicated()}
   * in-JVM broker). Call it first in tests that need outages, before any set-up.
   */
  public void assumeRestartable() {
    Assumptions.assumeTrue(
        external.isEmpty(),
        () ->
            "this test stops and restarts the broker, which it cannot do to the external cluster "
                + EXTERNAL_ENV
                + "="
                + external.orElseThrow()
                + "; unset "
                + EXTERNAL_ENV
                + " to run it on the in-JVM broker");
    if (!dedicated) {
      throw new IllegalStateException(
          "only a KafkaBrokerExtension.dedicated() broker can be stopped and restarted;"
              + " the shared one serves other test classes");
    }
  }

  /**
   * Shuts the broker down: its address refuses connections until {@link #restartBroker()}. Data and
   * the controller stay. Aborts the test against an external cluster.
   */
  public void stopBroker() {
    assumeRestartable();
    started().stopBroker();
  }

  /**
   * Starts the stopped broker again on the same address and waits until it serves. Takes about 8 s
   * on a 2-core machine, most of it before the controller accepts the broker's new registration.
   */
  public void restartBroker() {
    assumeRestartable();
    started().restartBroker();
  }

  private InJvmKafkaBroker started() {
    InJvmKafkaBroker current = broker;
    if (current == null) {
      throw new IllegalStateException(
          "the broker is not started: register KafkaBrokerExtension with @RegisterExtension"
              + " in a static field and use it from tests or @BeforeEach/@BeforeAll methods");
    }
    return current;
  }
}
