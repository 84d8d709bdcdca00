package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.RiskLevelChange;
import io.pmaccountstream.binance.userdata.UserDataEvent;
import io.pmaccountstream.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The poller's UserDataListener, and the publisher of riskLevelChange events behind it. */
class PushEventsTest {

  private static final Instant EVENT_TIME = Instant.parse("2026-12-01T10:00:00.123Z");
  private static final Serializer<RiskLevelChange> SERIALIZER = (topic, value) -> new byte[0];

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final TestClock clock = new TestClock(Instant.parse("2026-12-01T10:00:00.500Z"));
  private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
  private final List<String> pollsAsked = new CopyOnWriteArrayList<>();
  private final MockProducer<String, RiskLevelChange> producer =
      new MockProducer<>(true, null, new StringSerializer(), SERIALIZER);
  private final RiskLevelChangePublisher publisher = publisher(producer);
  private final PushEvents events =
      new PushEvents(pollsAsked::add, publisher, deadLetters::add, "poller-1", meters, clock);

  private RiskLevelChangePublisher publisher(MockProducer<String, RiskLevelChange> producer) {
    return new RiskLevelChangePublisher(
        producer,
        "pm.account.risk-level-changes",
        Duration.ofMillis(10),
        deadLetters::add,
        "poller-1",
        meters,
        clock);
  }

  @AfterEach
  void close() {
    publisher.close(Duration.ofMillis(200));
  }

  private static UserDataEvent.RiskLevelChange change(String uniMmr) {
    return new UserDataEvent.RiskLevelChange(
        "alice",
        EVENT_TIME,
        "MARGIN_CALL",
        new BigDecimal(uniMmr),
        new BigDecimal("1000.5"),
        new BigDecimal("1200"),
        new BigDecimal("833.12345678"));
  }

  @Test
  void aRiskLevelChangeIsPublishedExactlyAndAsksForAPoll() {
    events.onEvent(change("1.19999999"));

    await().until(() -> producer.history().size() == 1);
    ProducerRecord<String, RiskLevelChange> sent = producer.history().get(0);
    assertThat(sent.topic()).isEqualTo("pm.account.risk-level-changes");
    assertThat(sent.key()).isEqualTo("alice");
    assertThat(sent.timestamp()).isEqualTo(EVENT_TIME.toEpochMilli());
    RiskLevelChange record = sent.value();
    assertThat(record.getUniMMR()).isEqualTo(new BigDecimal("1.19999999"));
    assertThat(record.getAccountEquity()).isEqualTo(new BigDecimal("1000.50000000"));
    assertThat(record.getActualEquity()).isEqualTo(new BigDecimal("1200.00000000"));
    assertThat(record.getMaintMargin()).isEqualTo(new BigDecimal("833.12345678"));
    assertThat(record.getRiskLevel()).isEqualTo("MARGIN_CALL");
    assertThat(record.getEventTime()).isEqualTo(EVENT_TIME);
    assertThat(record.getReceivedAt()).isEqualTo(clock.instant());
    assertThat(record.getPollerInstanceId()).isEqualTo("poller-1");
    assertThat(pollsAsked).containsExactly("alice");
    assertThat(meters.counter("pmas.push.risk.level.changes", "outcome", "published").count())
        .isEqualTo(1.0);
  }

  @Test
  void anyOtherEventOnlyAsksForAPoll() {
    events.onEvent(new UserDataEvent.AccountChanged("alice", EVENT_TIME, "ACCOUNT_UPDATE"));

    assertThat(pollsAsked).containsExactly("alice");
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(1))
        .until(() -> producer.history().isEmpty());
    assertThat(
            meters
                .counter("pmas.push.events", "account", "alice", "type", "ACCOUNT_UPDATE")
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void aMalformedFrameIsADeadLetterAndStillAsksForAPoll() {
    events.onMalformed("alice", "{\"e\":\"riskLevelChange\",\"u\":1.2}", "u: a JSON number");

    assertThat(deadLetters).hasSize(1);
    DeadLetter letter = deadLetters.get(0);
    assertThat(letter.errorKind()).isEqualTo(PushEvents.BAD_PUSH_FRAME);
    assertThat(letter.accountId()).isEqualTo("alice");
    assertThat(letter.message()).isEqualTo("u: a JSON number");
    assertThat(letter.rawBody()).contains("{\"e\":\"riskLevelChange\",\"u\":1.2}");
    assertThat(letter.pollerInstanceId()).isEqualTo("poller-1");
    assertThat(pollsAsked).containsExactly("alice");
  }

  @Test
  void aHugeMalformedFrameIsKeptCapped() {
    events.onMalformed("alice", "x".repeat(100_000), "not JSON");

    assertThat(deadLetters.get(0).rawBody().orElseThrow())
        .hasSizeLessThan(PushEvents.MAX_FRAME_CHARS + 32)
        .endsWith("(100000 chars)");
  }

  @Test
  void anEventOutsideTheSchemaIsADeadLetterNeverRounded() {
    events.onEvent(change("1.123456789"));

    assertThat(deadLetters).extracting(DeadLetter::errorKind).containsExactly("BAD_PUSH_EVENT");
    assertThat(pollsAsked).containsExactly("alice");
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(1))
        .until(() -> producer.history().isEmpty());
  }

  @Test
  void aPollAskThatThrowsIsCountedAndTheListenerDoesNotThrow() {
    PushEvents throwing =
        new PushEvents(
            a -> {
              throw new IllegalStateException("boom");
            },
            publisher,
            deadLetters::add,
            "poller-1",
            meters,
            clock);

    throwing.onEvent(new UserDataEvent.AccountChanged("alice", EVENT_TIME, "ORDER_TRADE_UPDATE"));

    assertThat(meters.counter("pmas.loop.errors", "loop", "push-events").count()).isEqualTo(1.0);
  }

  @Test
  void aRetriableSendErrorIsRetriedInOrder() {
    MockProducer<String, RiskLevelChange> manual =
        new MockProducer<>(false, null, new StringSerializer(), SERIALIZER);
    RiskLevelChangePublisher retrying = publisher(manual);
    try {
      retrying.offer(PushEvents.toRecord(change("1.1"), clock, "poller-1"));
      retrying.offer(PushEvents.toRecord(change("1.0"), clock, "poller-1"));
      await().until(() -> manual.history().size() == 1);
      manual.errorNext(new TimeoutException("broker away"));

      await().until(() -> manual.history().size() == 2);
      await().until(manual::completeNext);
      await().until(() -> manual.history().size() == 3);
      await().until(manual::completeNext);

      assertThat(manual.history())
          .extracting(r -> r.value().getUniMMR())
          .containsExactly(
              new BigDecimal("1.10000000"),
              new BigDecimal("1.10000000"),
              new BigDecimal("1.00000000"));
      assertThat(deadLetters).isEmpty();
      await().until(() -> retrying.unsent() == 0);
    } finally {
      retrying.close(Duration.ofMillis(200));
    }
  }

  @Test
  void aSendErrorNoRetryCanFixIsADeadLetterAndTheNextGoesOn() {
    MockProducer<String, RiskLevelChange> manual =
        new MockProducer<>(false, null, new StringSerializer(), SERIALIZER);
    RiskLevelChangePublisher refusing = publisher(manual);
    try {
      refusing.offer(PushEvents.toRecord(change("1.1"), clock, "poller-1"));
      refusing.offer(PushEvents.toRecord(change("1.0"), clock, "poller-1"));
      await().until(() -> manual.history().size() == 1);
      manual.errorNext(new SerializationException("refused"));
      await().until(() -> manual.history().size() == 2);
      await().until(manual::completeNext);

      assertThat(deadLetters)
          .extracting(DeadLetter::errorKind)
          .containsExactly(RiskLevelChangePublisher.UNPUBLISHABLE);
      await().until(() -> refusing.unsent() == 0);
    } finally {
      refusing.close(Duration.ofMillis(200));
    }
  }
}
