package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.serde.SchemaRegistryException;
import io.pmaccountstream.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SnapshotPublisherTest {

  private static final BigDecimal TOO_MANY_DIGITS = new BigDecimal("1".repeat(34) + ".00000000");

  /** Refuses what the real serializer refuses here: a decimal over decimal(38, 8). */
  private static final Serializer<AccountSnapshot> SERIALIZER =
      (topic, value) -> {
        if (value.getAccountEquity().precision() > 38) {
          throw new SerializationException("accountEquity: 42 digits, over decimal(38, 8)");
        }
        return new byte[0];
      };

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final TestClock clock = new TestClock(Instant.parse("2026-11-24T10:00:00Z"));
  private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
  private final MockProducer<String, AccountSnapshot> producer =
      new MockProducer<>(false, null, new StringSerializer(), SERIALIZER);
  private final List<SnapshotPublisher> publishers = new ArrayList<>();
  private final SnapshotPublisher publisher = publisher(producer, Duration.ofMillis(10), 1 << 24);

  private SnapshotPublisher publisher(
      MockProducer<String, AccountSnapshot> producer, Duration backoff, long bufferBytes) {
    SnapshotPublisher p =
        new SnapshotPublisher(
            producer,
            "snapshots",
            backoff,
            bufferBytes,
            deadLetters::add,
            "poller-1",
            meters,
            clock);
    publishers.add(p);
    return p;
  }

  @AfterEach
  void close() {
    publishers.forEach(p -> p.close(Duration.ofMillis(100)));
  }

  @Test
  void sendsKeyedByAccountWithObservedAtAsRecordTimestamp() {
    publisher.offer(snapshot("alice", 1, "1.50000000"));

    await().until(() -> producer.history().size() == 1);
    ProducerRecord<String, AccountSnapshot> sent = producer.history().get(0);
    assertThat(sent.key()).isEqualTo("alice");
    assertThat(sent.topic()).isEqualTo("snapshots");
    assertThat(sent.timestamp()).isEqualTo(Instant.ofEpochSecond(1).toEpochMilli());
  }

  @Test
  void keepsEveryStateInOrderWhileOneIsInFlight() {
    publisher.offer(snapshot("alice", 1, "1.5"));
    await().until(() -> producer.history().size() == 1);

    publisher.offer(snapshot("alice", 2, "1.4"));
    publisher.offer(snapshot("alice", 3, "1.3"));
    publisher.offer(snapshot("alice", 4, "1.2"));
    assertThat(publisher.unsent()).isEqualTo(4);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> producer.history().size() == 1);

    completeUntil(producer, 4);

    assertThat(producer.history())
        .extracting(r -> r.value().getSequence())
        .containsExactly(1L, 2L, 3L, 4L);
    assertThat(meters.find("pmas.snapshots.conflated").counter()).isNull();
  }

  @Test
  void flushWaitsForTheAccountsOwnSnapshotsOnly() throws Exception {
    publisher.offer(snapshot("alice", 1, "1.5"));
    publisher.offer(snapshot("bob", 1, "1.5"));
    publisher.offer(snapshot("alice", 2, "1.4"));
    await().until(() -> producer.history().size() == 2);

    assertThat(publisher.flush(List.of("alice"), Duration.ofMillis(100))).isEqualTo(2);
    CompletableFuture<Integer> flushed =
        CompletableFuture.supplyAsync(
            () -> publisher.flush(List.of("alice"), Duration.ofSeconds(10)));
    // acknowledge in send order: alice 1, bob 1, then alice 2 (sent after alice 1's ack)
    completeUntil(producer, 3);

    assertThat(flushed.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(publisher.flush(List.of("carol"), Duration.ofMillis(1))).isZero();
  }

  @Test
  void resendsAFailedSnapshotBeforeTheNextOne() {
    publisher.offer(snapshot("alice", 1, "1.5"));
    await().until(() -> producer.history().size() == 1);
    publisher.offer(snapshot("alice", 2, "1.4"));

    producer.errorNext(new TimeoutException("broker down"));

    completeUntil(producer, 2);
    assertThat(producer.history())
        .extracting(r -> r.value().getSequence())
        .containsExactly(1L, 1L, 2L);
    await().until(() -> publisher.unsent() == 0);
    assertThat(deadLetters).isEmpty();
  }

  @Test
  void aSnapshotTheSerializerRefusesIsDeadLetteredAndTheAccountsNextOneGoesOn() {
    AccountSnapshot unwritable = snapshot("alice", 1, "1.5");
    unwritable.setAccountEquity(TOO_MANY_DIGITS);
    publisher.offer(unwritable);
    publisher.offer(snapshot("alice", 2, "1.4"));

    completeUntil(producer, 1);

    assertThat(producer.history()).extracting(r -> r.value().getSequence()).containsExactly(2L);
    assertThat(deadLetters).hasSize(1);
    DeadLetter letter = deadLetters.get(0);
    assertThat(letter.errorKind()).isEqualTo(SnapshotPublisher.UNPUBLISHABLE);
    assertThat(letter.accountId()).isEqualTo("alice");
    assertThat(letter.message()).contains("SerializationException", "decimal(38, 8)");
    assertThat(letter.rawBody()).hasValueSatisfying(body -> assertThat(body).contains("alice"));
    assertThat(
            meters
                .counter("pmas.snapshots", "outcome", "dead_lettered", "account", "alice")
                .count())
        .isEqualTo(1.0);
    await().until(() -> publisher.unsent() == 0);
  }

  @Test
  void aRegistryOutageHoldsSnapshotsBackInOrderInsteadOfDeadLetteringThem() {
    AtomicInteger outageLeft = new AtomicInteger(3);
    Serializer<AccountSnapshot> registryDown =
        (topic, value) -> {
          if (outageLeft.getAndDecrement() > 0) {
            throw new SerializationException(
                "cannot register the schema",
                SchemaRegistryException.unreachable(
                    "register the schema",
                    "http://127.0.0.1:1",
                    new java.io.IOException("refused")));
          }
          return new byte[0];
        };
    MockProducer<String, AccountSnapshot> outageProducer =
        new MockProducer<>(true, null, new StringSerializer(), registryDown);
    SnapshotPublisher outagePublisher = publisher(outageProducer, Duration.ofMillis(10), 1 << 24);

    outagePublisher.offer(snapshot("alice", 1, "1.5"));
    outagePublisher.offer(snapshot("alice", 2, "1.4"));

    await().until(() -> outageProducer.history().size() == 2);
    assertThat(outageProducer.history())
        .extracting(r -> r.value().getSequence())
        .containsExactly(1L, 2L);
    assertThat(deadLetters).isEmpty();
  }

  @Test
  void registryOutagesAreRetriableAndASerializerRefusalIsNot() {
    assertThat(
            SnapshotPublisher.isRetriable(
                new SerializationException(
                    "refused",
                    SchemaRegistryException.unreachable(
                        "register", "http://127.0.0.1:1", new java.io.IOException("x")))))
        .isTrue();
    assertThat(SnapshotPublisher.isRetriable(new SerializationException("decimal(38, 8)")))
        .isFalse();
  }

  @Test
  void anAuthorizationErrorIsFatalForThatSnapshotNotRetriedForever() {
    publisher.offer(snapshot("alice", 1, "1.5"));
    await().until(() -> producer.history().size() == 1);
    publisher.offer(snapshot("alice", 2, "1.4"));

    producer.errorNext(new TopicAuthorizationException("snapshots"));
    completeUntil(producer, 1);

    assertThat(producer.history()).extracting(r -> r.value().getSequence()).containsExactly(1L, 2L);
    assertThat(deadLetters)
        .extracting(DeadLetter::message)
        .singleElement()
        .asString()
        .contains("TopicAuthorizationException");
  }

  @Test
  void aSnapshotWhoseTimestampKafkaCannotCarryIsDeadLetteredAndTheSenderGoesOn() {
    AccountSnapshot before1970 = snapshot("alice", 1, "1.5");
    before1970.setObservedAt(Instant.parse("1960-01-01T00:00:00Z"));
    publisher.offer(before1970);
    publisher.offer(snapshot("alice", 2, "1.4"));
    publisher.offer(snapshot("bob", 1, "2.5"));

    completeUntil(producer, 2);

    assertThat(producer.history())
        .extracting(r -> r.key() + "#" + r.value().getSequence())
        .containsExactlyInAnyOrder("alice#2", "bob#1");
    assertThat(deadLetters).extracting(DeadLetter::errorKind).containsExactly("UNPUBLISHABLE");
    assertThat(publisher.heartbeat().stalled()).isEmpty();
  }

  @Test
  void aRetriableErrorBacksOffThatAccountOnly() {
    SnapshotPublisher slow = publisher(producer, Duration.ofSeconds(30), 1 << 24);
    slow.offer(snapshot("alice", 1, "1.5"));
    await().until(() -> producer.history().size() == 1);
    producer.errorNext(new TimeoutException("no leader"));

    slow.offer(snapshot("bob", 1, "2.5"));

    await().atMost(Duration.ofSeconds(2)).until(() -> producer.history().size() == 2);
    assertThat(producer.history().get(1).key()).isEqualTo("bob");
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> producer.history().size() == 2);
    assertThat(slow.unsent()).as("alice waits for her backoff, bob in flight").isEqualTo(2);
  }

  /**
   * With the broker away, send() blocks max.block.ms for metadata: once per batch, not per lane.
   */
  @Test
  void aSendThatBlocksOnMissingMetadataHoldsBackTheRestOfItsBatch() {
    CountDownLatch firstSendMayReturn = new CountDownLatch(1);
    AtomicInteger sends = new AtomicInteger();
    MockProducer<String, AccountSnapshot> noMetadata =
        new MockProducer<>(true, null, new StringSerializer(), SERIALIZER) {
          @Override
          public synchronized Future<RecordMetadata> send(
              ProducerRecord<String, AccountSnapshot> record, Callback callback) {
            if (sends.incrementAndGet() == 1) {
              awaitQuietly(firstSendMayReturn);
              return super.send(record, callback);
            }
            throw new TimeoutException("Topic snapshots not present in metadata after 60000 ms.");
          }
        };
    SnapshotPublisher away = publisher(noMetadata, Duration.ofSeconds(30), 1 << 20);
    away.offer(snapshot("zed", 1, "1.5"));
    await().until(() -> sends.get() == 1);
    away.offer(snapshot("alice", 1, "1.5"));
    away.offer(snapshot("bob", 1, "1.5"));
    away.offer(snapshot("carol", 1, "1.5"));

    firstSendMayReturn.countDown();

    await().until(() -> sends.get() == 2);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> sends.get() == 2);
    assertThat(away.unsent()).isEqualTo(3);
    assertThat(meters.find("pmas.snapshots").tag("outcome", "send_failed").counters())
        .as("only the send that failed counts as failed")
        .hasSize(1);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void conflatesOnlyPastTheBoundKeepingTheLatestStateAndCountingPerAccount() {
    long size = SnapshotPublisher.encodedSize(snapshot("alice", 1, "1.5"));
    SnapshotPublisher bounded = publisher(producer, Duration.ofMillis(10), 5 * size);
    bounded.offer(snapshot("alice", 1, "1.5"));
    await().until(() -> producer.history().size() == 1);
    for (int i = 2; i <= 5; i++) {
      bounded.offer(snapshot("alice", i, "1.4"));
    }
    assertThat(meters.find("pmas.snapshots.conflated").counter()).as("at the bound").isNull();

    bounded.offer(snapshot("alice", 6, "1.3"));
    bounded.offer(snapshot("alice", 7, "1.2"));

    assertThat(meters.counter("pmas.snapshots.conflated", "account", "alice").count())
        .isEqualTo(2.0);
    assertThat(bounded.bufferedBytes()).isLessThanOrEqualTo(5 * size);
    completeUntil(producer, 5);
    assertThat(producer.history())
        .extracting(r -> r.value().getSequence())
        .containsExactly(1L, 4L, 5L, 6L, 7L);
  }

  /**
   * The figure docs/reliability.md promises: 100 accounts polled every second through a 10-minute
   * outage fit the default buffer, and every state comes out in order.
   */
  @Test
  void tenMinutesOfAHundredAccountsAtOnePerSecondFitTheDefaultBufferWithNothingConflated() {
    SnapshotPublisher outage =
        publisher(producer, Duration.ofMillis(10), Long.parseLong(defaultBufferBytes()));
    for (int second = 1; second <= 600; second++) {
      for (int a = 0; a < 100; a++) {
        outage.offer(snapshot("account-" + a, second, "1.5"));
      }
    }
    assertThat(outage.unsent()).isEqualTo(60_000);
    assertThat(meters.find("pmas.snapshots.conflated").counter()).isNull();

    completeUntil(producer, 60_000);

    Map<String, Long> last = new HashMap<>();
    for (ProducerRecord<String, AccountSnapshot> r : producer.history()) {
      long previous = last.getOrDefault(r.key(), 0L);
      assertThat(r.value().getSequence()).isEqualTo(previous + 1);
      last.put(r.key(), r.value().getSequence());
    }
    assertThat(last).hasSize(100).allSatisfy((account, seq) -> assertThat(seq).isEqualTo(600L));
  }

  @Test
  void theOldestUnsentSnapshotsAgeIsMeasured() {
    publisher.offer(snapshot("alice", 1, "1.5"));
    clock.advance(Duration.ofSeconds(7));
    publisher.offer(snapshot("alice", 2, "1.4"));
    clock.advance(Duration.ofSeconds(3));

    assertThat(publisher.oldestUnsentAge()).contains(Duration.ofSeconds(10));
    assertThat(meters.get("pmas.snapshots.unsent.oldest.age").gauge().value()).isEqualTo(10.0);
    completeUntil(producer, 2);
    await().until(() -> publisher.oldestUnsentAge().isEmpty());
    assertThat(publisher.lastPublished("alice"))
        .hasValueSatisfying(p -> assertThat(p.sequence()).isEqualTo(2L));
  }

  @Test
  void aSenderThreadThatDiesAnywayIsReportedStalled() {
    MockProducer<String, AccountSnapshot> dying =
        new MockProducer<>(true, null, new StringSerializer(), SERIALIZER) {
          @Override
          public synchronized java.util.concurrent.Future<
                  org.apache.kafka.clients.producer.RecordMetadata>
              send(
                  ProducerRecord<String, AccountSnapshot> record,
                  org.apache.kafka.clients.producer.Callback callback) {
            throw new StackOverflowError("simulated");
          }
        };
    SnapshotPublisher doomed = publisher(dying, Duration.ofMillis(10), 1 << 20);
    assertThat(doomed.heartbeat().stalled()).isEmpty();

    doomed.offer(snapshot("alice", 1, "1.5"));

    await().dontCatchUncaughtExceptions().until(() -> doomed.heartbeat().stalled().isPresent());
    assertThat(doomed.heartbeat().stalled().get()).contains("snapshot-sender", "ended");
  }

  @Test
  void closeSendsEverythingWaiting() {
    MockProducer<String, AccountSnapshot> autoCompleting =
        new MockProducer<>(true, null, new StringSerializer(), SERIALIZER);
    SnapshotPublisher closing = publisher(autoCompleting, Duration.ofMillis(10), 1 << 20);
    closing.offer(snapshot("alice", 1, "1.5"));
    closing.offer(snapshot("alice", 2, "1.5"));
    closing.offer(snapshot("bob", 1, "1.5"));

    int unsent = closing.close(Duration.ofSeconds(5));

    assertThat(unsent).isZero();
    assertThat(autoCompleting.history()).hasSize(3);
    assertThat(autoCompleting.closed()).isTrue();
  }

  @Test
  void closeReturnsWithinItsTimeoutWhenKafkaNeverAnswers() {
    publisher.offer(snapshot("alice", 1, "1.5"));
    publisher.offer(snapshot("alice", 2, "1.5"));
    await().until(() -> producer.history().size() == 1);

    long start = System.nanoTime();
    int unsent = publisher.close(Duration.ofMillis(300));

    assertThat(unsent).isEqualTo(2);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  private static String defaultBufferBytes() {
    return PollerConfig.PUBLISH_BUFFER_BYTES.defaultValue().orElseThrow();
  }

  /** Acknowledges sends one by one, as the broker would, until {@code n} were acknowledged. */
  private static void completeUntil(MockProducer<String, AccountSnapshot> producer, int n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int completed = 0;
    while (completed < n) {
      if (producer.completeNext()) {
        completed++;
      } else if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + completed + " of " + n + " sends arrived");
      } else {
        Thread.onSpinWait();
      }
    }
  }

  static AccountSnapshot snapshot(String account, long sequence, String uniMmr) {
    BigDecimal zero = new BigDecimal("0E-8");
    return AccountSnapshot.newBuilder()
        .setAccountId(account)
        .setUniMMR(new BigDecimal(uniMmr).setScale(8))
        .setAccountEquity(zero)
        .setActualEquity(zero)
        .setAccountInitialMargin(zero)
        .setAccountMaintMargin(zero)
        .setAccountStatus(AccountStatus.NORMAL)
        .setAccountStatusRaw("NORMAL")
        .setUpdateTime(Instant.ofEpochSecond(sequence))
        .setObservedAt(Instant.ofEpochSecond(sequence))
        .setRequestLatencyMs(1)
        .setPollerInstanceId("test")
        .setSequence(sequence)
        .build();
  }
}
