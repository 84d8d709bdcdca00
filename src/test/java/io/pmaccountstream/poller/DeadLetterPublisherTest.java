package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadLetterPublisherTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final CountDownLatch never = new CountDownLatch(1);

  @AfterEach
  void release() {
    never.countDown();
  }

  @Test
  void aLetterWithATimestampBefore1970IsStillWrittenAndTheSenderGoesOn() {
    MockProducer<String, String> producer =
        new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    DeadLetterPublisher publisher = new DeadLetterPublisher(producer, "dlq", 1 << 20, meters);

    publisher.publish(letter("alice", Instant.parse("1960-01-01T00:00:00Z"), "x"));
    publisher.publish(letter("bob", Instant.parse("2026-11-24T10:00:00Z"), "y"));

    await().until(() -> producer.history().size() == 2);
    assertThat(producer.history().get(0).timestamp()).as("the producer's own time").isNull();
    assertThat(producer.history().get(0).value())
        .contains("\"observedAt\":\"1960-01-01T00:00:00Z\"");
    assertThat(publisher.heartbeat().stalled()).isEmpty();
    publisher.close(Duration.ofSeconds(1));
  }

  @Test
  void theQueueIsBoundedInBytesAndOverflowIsCounted() {
    MockProducer<String, String> stuck = blockingSend();
    DeadLetterPublisher publisher = new DeadLetterPublisher(stuck, "dlq", 64 * 1024, meters);
    String body = "x".repeat(10_000);

    for (int i = 0; i < 10; i++) {
      publisher.publish(letter("alice", Instant.parse("2026-11-24T10:00:00Z"), body));
    }

    // One letter is with the (stuck) sender; six more fit in 64 KiB of ~10 KB each.
    assertThat(meters.counter("pmas.dlq.records", "outcome", "overflow").count()).isEqualTo(3.0);
    assertThat(meters.get("pmas.dlq.buffered.bytes").gauge().value())
        .isLessThanOrEqualTo(64 * 1024);
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> publisher.close(Duration.ofMillis(300)));
  }

  @Test
  void closeReturnsWithinItsTimeoutWhenKafkaNeverAcknowledges() {
    MockProducer<String, String> neverFlushes =
        new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()) {
          @Override
          public void flush() {
            awaitForever();
          }
        };
    DeadLetterPublisher publisher = new DeadLetterPublisher(neverFlushes, "dlq", 1 << 20, meters);
    publisher.publish(letter("alice", Instant.parse("2026-11-24T10:00:00Z"), "x"));
    await().until(() -> neverFlushes.history().size() == 1);

    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> publisher.close(Duration.ofMillis(300)));
    assertThat(neverFlushes.closed()).isTrue();
  }

  private MockProducer<String, String> blockingSend() {
    return new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()) {
      @Override
      public synchronized Future<RecordMetadata> send(
          ProducerRecord<String, String> record, Callback callback) {
        awaitForever();
        return super.send(record, callback);
      }
    };
  }

  private void awaitForever() {
    try {
      never.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static DeadLetter letter(String account, Instant observedAt, String body) {
    return new DeadLetter(
        account,
        observedAt,
        "BAD_PAYLOAD",
        OptionalInt.of(200),
        Optional.empty(),
        "not an account",
        "nothing to do",
        Optional.of(body),
        "poller-1");
  }
}
