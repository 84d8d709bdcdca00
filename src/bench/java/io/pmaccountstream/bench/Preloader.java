package io.pmaccountstream.bench;

import io.pmaccountstream.avro.AccountSnapshot;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes realistic snapshots to a topic as the poller would (key accountId, record timestamp
 * observedAt), through the given value serializer. Not a measured step: it only prepares input.
 */
final class Preloader {

  private Preloader() {}

  /** Sends {@code snapshots} and waits for every acknowledgement; returns the records sent. */
  static long preload(
      String bootstrapServers,
      String topic,
      RealisticSnapshots snapshots,
      Serializer<AccountSnapshot> valueSerializer) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "pmas-bench-preload");
    AtomicReference<Exception> failure = new AtomicReference<>();
    long sent = 0;
    try (KafkaProducer<String, AccountSnapshot> producer =
        new KafkaProducer<>(props, new StringSerializer(), valueSerializer)) {
      while (snapshots.hasNext() && failure.get() == null) {
        AccountSnapshot s = snapshots.next();
        producer.send(
            new ProducerRecord<>(
                topic, null, s.getObservedAt().toEpochMilli(), s.getAccountId(), s),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
        sent++;
      }
      producer.flush();
      producer.close(Duration.ofSeconds(30));
    }
    if (failure.get() != null) {
      throw new IllegalStateException("preloading " + topic + " failed", failure.get());
    }
    return sent;
  }
}
