package io.pmaccountstream.bench.chaos;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft broker as a child JVM (kafka.Kafka on tools/kafka-broker's classpath), on
 * fixed loopback ports and one log directory, so that it can be stopped and started again as the
 * same broker: what a broker restart in production looks like to its clients.
 */
final class BrokerProcess implements AutoCloseable {

  private final String classpath;
  private final Path dir;
  private final Path properties;
  private final int port;
  private ChildProcess process;
  private int starts;

  private BrokerProcess(String classpath, Path dir, Path properties, int port) {
    this.classpath = classpath;
    this.dir = dir;
    this.properties = properties;
    this.port = port;
  }

  static BrokerProcess format(String classpath, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    int port = freePort();
    int controller = freePort();
    Path properties = dir.resolve("server.properties");
    Files.writeString(
        properties,
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controller,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + dir.resolve("data"),
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            ""));
    ChildProcess format =
        ChildProcess.start(
            "kafka-format",
            List.of(
                ChildProcess.java(),
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                properties.toString()),
            dir.resolve("kafka-format.log"));
    if (format.awaitExit(120) != 0) {
      throw new IllegalStateException("formatting the broker storage failed: see " + dir);
    }
    return new BrokerProcess(classpath, dir, properties, port);
  }

  String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Starts the broker and waits until it answers. */
  void start() throws IOException, InterruptedException {
    starts++;
    process =
        ChildProcess.start(
            "kafka",
            List.of(
                ChildProcess.java(),
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-cp",
                classpath,
                "kafka.Kafka",
                properties.toString()),
            dir.resolve("kafka.log"));
    awaitReady(Duration.ofSeconds(120));
  }

  /** Controlled shutdown (SIGTERM), as a rolling restart does. */
  void stop() throws InterruptedException {
    process.stop(60);
  }

  long pid() {
    return process.pid();
  }

  int starts() {
    return starts;
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin =
        Admin.create(
            Map.of(
                "bootstrap.servers", bootstrapServers(),
                "request.timeout.ms", 3000,
                "default.api.timeout.ms", 5000))) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the broker exited: see " + dir.resolve("kafka.log"));
        }
        try {
          admin.describeCluster().nodes().get();
          return;
        } catch (java.util.concurrent.ExecutionException e) {
          Thread.sleep(250);
        }
      }
    }
    throw new IllegalStateException("the broker did not become ready within " + timeout);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.close();
    }
  }
}
