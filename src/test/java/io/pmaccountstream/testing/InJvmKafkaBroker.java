package io.pmaccountstream.testing;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One combined (broker + controller) KRaft node in this JVM, built with Kafka's own test kit, with
 * both listeners on 127.0.0.1 and fixed ports so that the broker can be stopped and started again
 * at the same address with its data intact.
 *
 * <p>The test kit binds its listeners to the wildcard address on ports of its choosing. We give its
 * listeners names that no setting uses and override every listener setting of the node, so clients
 * and the controller quorum use only the 127.0.0.1 ports chosen here. (The kit still opens its two
 * sockets before it reads our settings; nothing ever connects to them or accepts on them, and they
 * are closed with the cluster.)
 */
final class InJvmKafkaBroker implements AutoCloseable {

  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaClusterTestKit cluster;
  private final int nodeId;
  private final String bootstrapServers;
  private boolean brokerRunning;

  private InJvmKafkaBroker(KafkaClusterTestKit cluster, int nodeId, String bootstrapServers) {
    this.cluster = cluster;
    this.nodeId = nodeId;
    this.bootstrapServers = bootstrapServers;
  }

  /** Formats storage in a fresh temporary directory, starts the node and waits until it serves. */
  static InJvmKafkaBroker start() {
    int brokerPort = LoopbackPorts.freePort();
    int controllerPort = LoopbackPorts.freePort();
    // In a combined test-kit cluster the single node has the first broker id.
    int nodeId = 0;
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            // The kit pre-binds sockets for its own listener names; ours differ, so none is used.
            .setBrokerListenerName(ListenerName.normalised("TESTKIT_UNUSED_BROKER"))
            .setControllerListenerName(ListenerName.normalised("TESTKIT_UNUSED_CONTROLLER"))
            .setPerServerProperties(
                Map.of(nodeId, nodeSettings(nodeId, brokerPort, controllerPort)))
            .build();
    KafkaClusterTestKit cluster = null;
    try {
      cluster = new KafkaClusterTestKit.Builder(nodes).build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      InJvmKafkaBroker broker =
          new InJvmKafkaBroker(cluster, nodeId, LoopbackPorts.HOST + ":" + brokerPort);
      broker.brokerRunning = true;
      broker.awaitMetadata();
      return broker;
    } catch (Exception e) {
      closeQuietly(cluster, e);
      throw new IllegalStateException("in-JVM Kafka broker did not start", e);
    }
  }

  /**
   * The settings a one-node KRaft cluster needs (replication factor 1 for internal topics, no
   * rebalance delay, otherwise consumer groups never get a coordinator) and 127.0.0.1 listeners.
   */
  private static Map<String, String> nodeSettings(int nodeId, int brokerPort, int controllerPort) {
    String host = LoopbackPorts.HOST;
    return Map.ofEntries(
        Map.entry(
            "listeners",
            BROKER_LISTENER
                + "://"
                + host
                + ":"
                + brokerPort
                + ","
                + CONTROLLER_LISTENER
                + "://"
                + host
                + ":"
                + controllerPort),
        Map.entry("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + brokerPort),
        Map.entry(
            "listener.security.protocol.map",
            BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT"),
        Map.entry("inter.broker.listener.name", BROKER_LISTENER),
        Map.entry("controller.listener.names", CONTROLLER_LISTENER),
        Map.entry("controller.quorum.voters", nodeId + "@" + host + ":" + controllerPort),
        Map.entry("offsets.topic.replication.factor", "1"),
        Map.entry("offsets.topic.num.partitions", "1"),
        Map.entry("transaction.state.log.replication.factor", "1"),
        Map.entry("transaction.state.log.min.isr", "1"),
        Map.entry("share.coordinator.state.topic.replication.factor", "1"),
        Map.entry("share.coordinator.state.topic.min.isr", "1"),
        Map.entry("group.initial.rebalance.delay.ms", "0"));
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * Shuts the broker down (controlled shutdown); its port stops accepting connections. The
   * controller and the data on disk stay.
   */
  synchronized void stopBroker() {
    if (!brokerRunning) {
      throw new IllegalStateException("the broker is already stopped");
    }
    broker().shutdown();
    broker().awaitShutdown();
    brokerRunning = false;
  }

  /** Starts the stopped broker again, on the same address, and waits until it serves. */
  synchronized void restartBroker() {
    if (brokerRunning) {
      throw new IllegalStateException("the broker is running; stop it first");
    }
    broker().startup();
    brokerRunning = true;
    try {
      cluster.waitForReadyBrokers();
    } catch (ExecutionException e) {
      throw new IllegalStateException("restarted broker did not become ready", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the restarted broker", e);
    }
    awaitMetadata();
  }

  synchronized boolean isBrokerRunning() {
    return brokerRunning;
  }

  private BrokerServer broker() {
    return cluster.brokers().get(nodeId);
  }

  /** Waits until a client, not only the controller, sees the broker in the cluster metadata. */
  private void awaitMetadata() {
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            (int) READY_TIMEOUT.toMillis());
    try (Admin admin = Admin.create(config)) {
      admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("broker at " + bootstrapServers + " answers no metadata", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for broker metadata", e);
    }
  }

  /** Stops broker and controller and deletes the data directory. */
  @Override
  public synchronized void close() throws Exception {
    cluster.close();
    brokerRunning = false;
  }

  private static void closeQuietly(KafkaClusterTestKit cluster, Exception cause) {
    if (cluster == null) {
      return;
    }
    try {
      cluster.close();
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
  }
}
