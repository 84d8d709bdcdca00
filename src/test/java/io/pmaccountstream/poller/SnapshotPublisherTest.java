package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SnapshotPublisherTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final MockProducer<String, AccountSnapshot> producer =
      new MockProducer<>(false, null, new StringSerializer(), (topic, value) -> new byte[0]);
  private final SnapshotPublisher publisher =
      new SnapshotPublisher(producer, "snapshots", Duration.ofMillis(10), meters);

  @AfterEach
  void close() {
    publisher.close(Duration.ofMillis(100));
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
  void keepsOnlyTheLatestWaitingSnapshotWhileOneIsInFlight() {
    publisher.offer(snapshot("alice", 1, "1.5"));
    await().until(() -> producer.history().size() == 1);

    publisher.offer(snapshot("alice", 2, "1.4"));
    publisher.offer(snapshot("alice", 3, "1.3"));
    publisher.offer(snapshot("alice", 4, "1.2"));
    assertThat(publisher.unsent()).isEqualTo(2);

    producer.completeNext();
    await().until(() -> producer.history().size() == 2);
    producer.completeNext();

    assertThat(producer.history()).extracting(r -> r.value().getSequence()).containsExactly(1L, 4L);
    assertThat(meters.counter("pmas.snapshots", "outcome", "conflated", "account", "alice").count())
        .isEqualTo(2.0);
  }

  @Test
  void resendsAFailedSnapshotWhenNothingNewerWaits() {
    publisher.offer(snapshot("alice", 1, "1.5"));
    await().until(() -> producer.history().size() == 1);

    producer.errorNext(new TimeoutException("broker down"));

    await().until(() -> producer.history().size() == 2);
    assertThat(producer.history().get(1).value().getSequence()).isEqualTo(1L);
    producer.completeNext();
    await().until(() -> publisher.unsent() == 0);
  }

  @Test
  void dropsAFailedSnapshotInFavourOfANewerOneAndKeepsOrder() {
    publisher.offer(snapshot("alice", 1, "1.5"));
    await().until(() -> producer.history().size() == 1);
    publisher.offer(snapshot("alice", 2, "1.4"));

    producer.errorNext(new TimeoutException("broker down"));

    await().until(() -> producer.history().size() == 2);
    producer.completeNext();
    List<Long> sequences = producer.history().stream().map(r -> r.value().getSequence()).toList();
    assertThat(sequences).containsExactly(1L, 2L);
  }

  @Test
  void accountsDoNotWaitForEachOther() {
    publisher.offer(snapshot("alice", 1, "1.5"));
    publisher.offer(snapshot("bob", 1, "2.5"));

    await().until(() -> producer.history().size() == 2);
    assertThat(producer.history()).extracting(ProducerRecord::key).containsOnly("alice", "bob");
  }

  @Test
  void closeSendsEverythingWaiting() {
    MockProducer<String, AccountSnapshot> autoCompleting =
        new MockProducer<>(true, null, new StringSerializer(), (topic, value) -> new byte[0]);
    SnapshotPublisher closing =
        new SnapshotPublisher(autoCompleting, "snapshots", Duration.ofMillis(10), meters);
    closing.offer(snapshot("alice", 1, "1.5"));
    closing.offer(snapshot("bob", 1, "1.5"));

    int unsent = closing.close(Duration.ofSeconds(5));

    assertThat(unsent).isZero();
    assertThat(autoCompleting.history()).hasSize(2);
    assertThat(autoCompleting.closed()).isTrue();
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
