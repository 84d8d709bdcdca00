package io.pmaccountstream.ops;

import io.pmaccountstream.kafka.KafkaConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The readiness of what a service connects to: the Kafka cluster ({@link KafkaReachableCheck}) and
 * the schema registry ({@code GET /subjects} with the serdes' credentials and truststore), each
 * answered from a cache for {@link #CACHE} so that probes every few seconds cost one request per
 * {@code CACHE}. {@code poll} and {@code derive} both register {@link #checks()}; close it with the
 * other clients.
 */
public final class ConnectionChecks implements AutoCloseable {

  /** How long one network check may take. */
  public static final Duration TIMEOUT = Duration.ofSeconds(3);

  /** How long a result answers probes before the next network check. */
  public static final Duration CACHE = Duration.ofSeconds(5);

  private final List<HealthCheck> checks;
  private final Runnable release;

  private ConnectionChecks(HealthCheck kafka, HealthCheck registry, Clock clock, Runnable release) {
    this.checks = List.of(kafka.cachedFor(CACHE, clock), registry.cachedFor(CACHE, clock));
    this.release = Objects.requireNonNull(release, "release");
  }

  /**
   * The checks of {@code connection}'s cluster and registry; the admin client is created lazily.
   */
  public static ConnectionChecks create(KafkaConnection connection, Clock clock) {
    KafkaReachableCheck kafka = KafkaReachableCheck.create(connection.clientProperties(), TIMEOUT);
    return new ConnectionChecks(kafka, registryCheck(connection), clock, kafka::close);
  }

  /** Over checks the caller owns (tests): cached the same way, nothing to close. */
  public static ConnectionChecks of(HealthCheck kafka, HealthCheck registry, Clock clock) {
    return new ConnectionChecks(kafka, registry, clock, () -> {});
  }

  /** {@code GET /subjects} with the same credentials and truststore the serdes use. */
  public static HttpReachableCheck registryCheck(KafkaConnection connection) {
    HttpReachableCheck plain =
        HttpReachableCheck.schemaRegistry(connection.schemaRegistryUrl(), TIMEOUT);
    HttpReachableCheck check =
        connection.registrySslContext().map(plain::withSslContext).orElse(plain);
    return connection.registryAuthorization().map(check::withAuthorization).orElse(check);
  }

  /** The cached Kafka check, then the cached registry check, to register for readiness. */
  public List<HealthCheck> checks() {
    return checks;
  }

  /** Closes the Kafka check's admin client. */
  @Override
  public void close() {
    release.run();
  }
}
