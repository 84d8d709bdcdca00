package io.pmaccountstream.ops;

import io.pmaccountstream.config.CauseChain;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

/**
 * Ready when the Kafka cluster answers {@code describeCluster} within a short timeout. The admin
 * client is created on the first check, and again after a failed creation (a bootstrap host name
 * that does not resolve yet while the cluster's DNS entries appear), so constructing the check
 * never fails. Wrap it with {@link #cachedFor} so that probes cost one request per few seconds:
 *
 * <pre>{@code
 * KafkaReachableCheck kafka = KafkaReachableCheck.create(connection.clientProperties(), Duration.ofSeconds(3));
 * health.register(kafka.cachedFor(Duration.ofSeconds(5), clock));
 * // ... and close it with the other clients
 * }</pre>
 */
public final class KafkaReachableCheck implements HealthCheck, AutoCloseable {

  public static final String NAME = "kafka";
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final Supplier<Admin> adminFactory;
  private final boolean ownsAdmin;
  private final Duration timeout;
  private Admin admin;

  private KafkaReachableCheck(Supplier<Admin> adminFactory, boolean ownsAdmin, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    this.adminFactory = adminFactory;
    this.ownsAdmin = ownsAdmin;
    this.timeout = timeout;
  }

  /**
   * A check with its own admin client built from the given client properties (bootstrap servers and
   * any security settings), closed by {@link #close()}.
   */
  public static KafkaReachableCheck create(Map<String, Object> clientProperties, Duration timeout) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    int millis = Math.toIntExact(timeout.toMillis());
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "pm-account-stream-health");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    return new KafkaReachableCheck(() -> Admin.create(props), true, timeout);
  }

  /** A check over an admin client the caller owns (and closes). */
  public static KafkaReachableCheck using(Admin admin, Duration timeout) {
    Objects.requireNonNull(admin, "admin");
    return new KafkaReachableCheck(() -> admin, false, timeout);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized Result check() {
    Admin client;
    try {
      client = admin();
    } catch (RuntimeException e) {
      return Result.down("cannot create a Kafka admin client: " + rootCause(e));
    }
    int millis = Math.toIntExact(timeout.toMillis());
    DescribeClusterResult cluster =
        client.describeCluster(new DescribeClusterOptions().timeoutMs(millis));
    try {
      Collection<Node> nodes = cluster.nodes().get(millis, TimeUnit.MILLISECONDS);
      String clusterId = cluster.clusterId().get(millis, TimeUnit.MILLISECONDS);
      if (nodes.isEmpty()) {
        return Result.down("cluster " + clusterId + " reports no brokers");
      }
      return Result.up("cluster " + clusterId + ", " + nodes.size() + " broker(s)");
    } catch (TimeoutException e) {
      return Result.down("no answer to describeCluster within " + timeout);
    } catch (ExecutionException e) {
      return Result.down("describeCluster failed: " + rootCause(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.down("interrupted while describing the cluster");
    }
  }

  private Admin admin() {
    if (admin == null) {
      admin = adminFactory.get();
    }
    return admin;
  }

  private static String rootCause(Throwable e) {
    return HealthChecks.describe(CauseChain.root(e));
  }

  @Override
  public synchronized void close() {
    if (ownsAdmin && admin != null) {
      admin.close(CLOSE_TIMEOUT);
    }
    admin = null;
  }
}
