package io.pmaccountstream.cli;

import io.pmaccountstream.kafka.KafkaConnection;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The broker and registry of every command that talks to Kafka, as flags of their keys. */
final class ConnectionOptions {

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT,...",
      description = "Kafka bootstrap servers (bootstrap.servers).")
  String bootstrapServers;

  @Option(
      names = "--schema-registry-url",
      paramLabel = "URL",
      description = "Confluent-API schema registry URL (schema.registry.url).")
  String schemaRegistryUrl;

  /**
   * These flags as configuration keys (null when not given), in a map the command adds its own
   * flags to.
   */
  Map<String, String> flags() {
    Map<String, String> flags = new HashMap<>();
    flags.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), bootstrapServers);
    flags.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl);
    return flags;
  }
}
