package io.pmaccountstream.streams;

import io.pmaccountstream.kafka.GrouplessConsumer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instant an application first started, kept in Kafka so that every instance, every restart and
 * every rebalance of the application agrees on it ({@code derive.emit.from=first-start}): the first
 * record of the one-partition topic {@code <application.id>-first-start}. An instance that finds
 * the topic empty appends its own candidate and reads the first record back, so two instances
 * starting together adopt the same one. The topic keeps its records forever (no compaction, no
 * retention): compaction would keep the last record, not the first.
 *
 * <p>The candidate is the current time when the input topic holds history; when the input topic is
 * missing or empty at that first start there is no history to hold back, and the candidate is the
 * epoch: everything is emitted. A first deployment that starts derive and the poller together, or
 * derive first, so loses no initial transition to start-up order or clock skew.
 */
final class FirstStart {

  private static final Logger log = LoggerFactory.getLogger(FirstStart.class);

  private static final Duration READ_POLL = Duration.ofMillis(200);

  private final TopicSetup topics;
  private final Map<String, Object> clientProperties;
  private final Duration timeout;
  private final Clock clock;

  FirstStart(
      TopicSetup topics, Map<String, Object> clientProperties, Duration timeout, Clock clock) {
    this.topics = topics;
    this.clientProperties = Map.copyOf(clientProperties);
    this.timeout = timeout;
    this.clock = clock;
  }

  /** The topic that holds the first start of an application. */
  static String topic(String applicationId) {
    return applicationId + "-first-start";
  }

  /**
   * The first start of the application, recorded now if there is none yet.
   *
   * @throws DeriveStartupException when Kafka does not answer in time or the topic holds a record
   *     that is not an instant
   */
  Instant resolve(String applicationId, String inputTopic, int replicationFactor) {
    String topic = topic(applicationId);
    topics.ensureForever(topic, replicationFactor);
    Optional<Instant> recorded = firstRecord(topic);
    if (recorded.isPresent()) {
      log.info(
          "Application {} first started at {} (recorded in {})",
          applicationId,
          recorded.get(),
          topic);
      return recorded.get();
    }
    Instant candidate = topics.holdsRecords(inputTopic) ? clock.instant() : Instant.EPOCH;
    append(topic, applicationId, candidate);
    Instant first =
        firstRecord(topic)
            .orElseThrow(
                () ->
                    new DeriveStartupException(
                        "Wrote the first start of "
                            + applicationId
                            + " to "
                            + topic
                            + " but cannot read it back"));
    log.info(
        "Application {} starts for the first time: recorded {} in {}{}",
        applicationId,
        first,
        topic,
        first.equals(Instant.EPOCH) ? " (input topic without history: everything is emitted)" : "");
    return first;
  }

  private void append(String topic, String applicationId, Instant instant) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, applicationId + "-first-start-producer");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer
          .send(new ProducerRecord<>(topic, 0, applicationId, instant.toString()))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new DeriveStartupException("Cannot write to " + topic + ": " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new DeriveStartupException(
          "Kafka did not acknowledge the write to " + topic + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeriveStartupException("Interrupted while writing to " + topic, e);
    }
  }

  /** The value of the first record of the topic's only partition, if it has one. */
  private Optional<Instant> firstRecord(String topic) {
    Map<String, Object> props = GrouplessConsumer.readCommitted(clientProperties);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    TopicPartition partition = new TopicPartition(topic, 0);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (consumer.position(partition, timeout) < end) {
        for (ConsumerRecord<String, String> record : consumer.poll(READ_POLL)) {
          return Optional.of(parse(topic, record));
        }
        if (System.nanoTime() > deadline) {
          throw new DeriveStartupException(
              "Cannot read the first record of " + topic + " within " + timeout);
        }
      }
      return Optional.empty();
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new DeriveStartupException(
          "Kafka did not answer within " + timeout + " reading " + topic, e);
    } catch (KafkaException e) {
      throw new DeriveStartupException("Cannot read " + topic + ": " + e, e);
    }
  }

  private static Instant parse(String topic, ConsumerRecord<String, String> record) {
    try {
      if (record.value() != null) {
        return Instant.parse(record.value());
      }
    } catch (DateTimeParseException e) {
      // reported below
    }
    throw new DeriveStartupException(
        "The first record of "
            + topic
            + " (offset "
            + record.offset()
            + ") is not an ISO-8601 instant; it holds the first start of the application and"
            + " is written by derive only");
  }
}
