package io.pmaccountstream.serde;

import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka Streams {@link Serde} pairing {@link ConfluentAvroSerializer} and {@link
 * ConfluentAvroDeserializer} over one registry client: Confluent wire format, TopicNameStrategy
 * subjects, records read into {@code T} by schema resolution.
 *
 * <p>In code: {@code new ConfluentAvroSerde<>(registryClient, AccountSnapshot.class)} (values) or
 * {@code new ConfluentAvroSerde<>(registryClient, AccountSnapshot.class, true)} (keys); the caller
 * owns the client. By class name ({@code default.value.serde}), it is configured with the same keys
 * as Confluent's {@code SpecificAvroSerde} ({@code schema.registry.url}, auth keys, {@code
 * specific.avro.value.type}), builds one client for both halves and closes it on {@link #close()}.
 *
 * @param <T> the generated record class
 */
public class ConfluentAvroSerde<T extends SpecificRecord> implements Serde<T> {

  private final ConfluentAvroSerializer<T> serializer;
  private final ConfluentAvroDeserializer<T> deserializer;
  private SchemaRegistryClient client;
  private boolean ownsClient;

  /** For configuration by class name: {@link #configure} builds the client. */
  public ConfluentAvroSerde() {
    this.serializer = new ConfluentAvroSerializer<>();
    this.deserializer = new ConfluentAvroDeserializer<>();
  }

  /** Values of {@code type} through a client the caller owns and closes. */
  public ConfluentAvroSerde(SchemaRegistryClient client, Class<T> type) {
    this(client, type, false);
  }

  /** Keys or values of {@code type} through a client the caller owns and closes. */
  public ConfluentAvroSerde(SchemaRegistryClient client, Class<T> type, boolean isKey) {
    this.client = Objects.requireNonNull(client, "client");
    this.serializer = new ConfluentAvroSerializer<>(client, isKey);
    this.deserializer = new ConfluentAvroDeserializer<>(client, type);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (client == null) {
      client = new HttpSchemaRegistryClient(SchemaRegistryClientConfig.fromSerdeConfigs(configs));
      ownsClient = true;
      serializer.useClient(client, false);
      deserializer.useClient(client, false);
    }
    serializer.configure(configs, isKey);
    deserializer.configure(configs, isKey);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }

  @Override
  public void close() {
    serializer.close();
    deserializer.close();
    if (ownsClient) {
      client.close();
    }
  }
}
