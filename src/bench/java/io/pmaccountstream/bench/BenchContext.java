package io.pmaccountstream.bench;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.KafkaConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** What every section needs: where the stack is, how big to go, where to write. */
final class BenchContext implements AutoCloseable {

  private final Scale scale;
  private final String bootstrapServers;
  private final Optional<String> schemaRegistryUrl;
  private final int partitions;
  private final Path workDir;
  private final Report report;
  private final Map<Class<?>, Object> attributes = new HashMap<>();
  private Admin admin;

  BenchContext(
      Scale scale,
      String bootstrapServers,
      Optional<String> schemaRegistryUrl,
      int partitions,
      Path workDir,
      Report report) {
    this.scale = scale;
    this.bootstrapServers = bootstrapServers;
    this.schemaRegistryUrl = schemaRegistryUrl;
    this.partitions = partitions;
    this.workDir = workDir;
    this.report = report;
  }

  Scale scale() {
    return scale;
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  /** The connection settings of this stack (broker and registry), as every command reads them. */
  KafkaConnection kafkaConnection() {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(
                Map.of(
                    KafkaConnection.BOOTSTRAP_SERVERS.name(), bootstrapServers(),
                    KafkaConnection.SCHEMA_REGISTRY_URL.name(),
                        schemaRegistryUrl().orElseThrow())));
    KafkaConnection connection = KafkaConnection.from(reader);
    reader.throwIfProblems();
    return connection;
  }

  Optional<String> schemaRegistryUrl() {
    return schemaRegistryUrl;
  }

  /**
   * Partitions of every topic the benchmark creates: the baseline and the pipeline use the same.
   */
  int partitions() {
    return partitions;
  }

  Path workDir() {
    return workDir;
  }

  /**
   * Writes a child's configuration file {@code fileName} in the work directory: this cluster's
   * bootstrap servers and registry, then {@code settings} ({@code key=value} lines).
   */
  Path writeConfig(String fileName, List<String> settings) throws java.io.IOException {
    List<String> lines = new java.util.ArrayList<>();
    lines.add("bootstrap.servers=" + bootstrapServers());
    lines.add("schema.registry.url=" + schemaRegistryUrl().orElseThrow());
    lines.addAll(settings);
    lines.add("");
    Path config = workDir.resolve(fileName);
    java.nio.file.Files.writeString(config, String.join("\n", lines));
    return config;
  }

  Path logDir() {
    return workDir.resolve("logs");
  }

  Report report() {
    return report;
  }

  synchronized Admin admin() {
    if (admin == null) {
      admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }
    return admin;
  }

  /** Something a section prepared for later sections of the same run (the preloaded input). */
  synchronized <T> T attribute(Class<T> type) {
    return type.cast(attributes.get(type));
  }

  synchronized <T> void attribute(Class<T> type, T value) {
    attributes.put(type, value);
  }

  /** Deletes the topics that exist. */
  void deleteTopics(Set<String> topics) throws InterruptedException {
    for (String topic : topics) {
      try {
        admin().deleteTopics(Set.of(topic)).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException("cannot delete topic " + topic, e);
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException("cannot delete topic " + topic, e);
      }
    }
  }

  /** Deletes the topics if they exist, then creates them empty with {@link #partitions()}. */
  void recreateTopics(Set<String> topics) throws InterruptedException {
    deleteTopics(topics);
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      for (String topic : topics) {
        while (true) {
          try {
            admin()
                .createTopics(Set.of(new NewTopic(topic, partitions, (short) 1)))
                .all()
                .get(30, TimeUnit.SECONDS);
            break;
          } catch (ExecutionException e) {
            // deletion is asynchronous: the old topic may be there for a moment
            if (!(e.getCause() instanceof TopicExistsException) || System.nanoTime() > deadline) {
              throw e;
            }
            Thread.sleep(200);
          }
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot recreate topics " + topics, e);
    }
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
  }
}
