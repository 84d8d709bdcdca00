package io.pmaccountstream.poller;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.simulator.BinancePmSimulator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Starts a poller against a simulator, a broker and a registry, and reads what it published. */
final class PollerFixture {

  private PollerFixture() {}

  static PollerApp.Settings settings(
      BinancePmSimulator simulator,
      Path credentials,
      String bootstrapServers,
      String registryUrl,
      Map<String, String> overrides)
      throws IOException {
    simulator.writeCredentials(credentials);
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", bootstrapServers);
    flags.put("schema.registry.url", registryUrl);
    flags.put("binance.base.url", simulator.baseUrl());
    flags.put("binance.time.url", simulator.baseUrl() + "/fapi/v1/time");
    flags.put("poll.interval", "100ms");
    flags.put("poll.jitter", "0");
    flags.put("poll.heartbeat", "1s");
    flags.put("kafka.max.block.ms", "5000");
    flags.putAll(overrides);
    return PollerApp.Settings.from(
        new ConfigReader(Settings.load(Optional.of(credentials), Map.of(), flags)));
  }

  static PollerApp start(PollerApp.Settings settings, SimpleMeterRegistry meters) {
    PollerApp app = PollerApp.create(settings, meters);
    app.start();
    return app;
  }

  static KafkaConsumer<String, AccountSnapshot> snapshotConsumer(
      String bootstrapServers, String registryUrl) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("schema.registry.url", registryUrl);
    props.put("specific.avro.value.type", AccountSnapshot.class.getName());
    props.put("isolation.level", "read_committed");
    ConfluentAvroDeserializer<AccountSnapshot> values = new ConfluentAvroDeserializer<>();
    values.configure(props, false);
    return new KafkaConsumer<>(props, new StringDeserializer(), values);
  }

  static KafkaConsumer<String, byte[]> rawConsumer(String bootstrapServers) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  static KafkaConsumer<String, String> textConsumer(String bootstrapServers) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
  }

  /** Every record of the topic so far (all partitions, from the beginning). */
  static <V> List<ConsumerRecord<String, V>> readAll(
      KafkaConsumer<String, V> consumer, String topic) {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    List<ConsumerRecord<String, V>> records = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
        && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(200)).forEach(records::add);
    }
    return records;
  }
}
