package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.AccountInfo;
import io.pmaccountstream.binance.FailureKind;
import io.pmaccountstream.binance.FetchOutcome;
import io.pmaccountstream.binance.HmacSha256Signer;
import io.pmaccountstream.binance.PmAccountStatus;
import io.pmaccountstream.binance.ResponseMeta;
import io.pmaccountstream.config.Secret;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AccountPollerTest {

  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final AccountCredentials ALICE =
      new AccountCredentials(
          "alice", Secret.of("key"), new HmacSha256Signer(Secret.of("not-a-real-secret")));

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final MockProducer<String, AccountSnapshot> snapshotProducer =
      new MockProducer<>(true, null, new StringSerializer(), (topic, value) -> new byte[0]);
  private final MockProducer<String, String> dlqProducer =
      new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
  private final SnapshotPublisher snapshots =
      new SnapshotPublisher(snapshotProducer, "snapshots", Duration.ofMillis(10), meters);
  private final DeadLetterPublisher deadLetters =
      new DeadLetterPublisher(dlqProducer, "dlq", 100, meters);
  private final Deque<FetchOutcome> responses = new ArrayDeque<>();
  private final List<String> failedAccounts = new ArrayList<>();

  @AfterEach
  void close() {
    snapshots.close(Duration.ofSeconds(1));
    deadLetters.close(Duration.ofSeconds(1));
  }

  private AccountPoller poller(EmissionPolicy policy) {
    PollerConfig config =
        new PollerConfig(
            Duration.ofSeconds(5),
            0.0,
            policy,
            Duration.ofSeconds(60),
            4,
            Duration.ofSeconds(5),
            "poller-1",
            100,
            Duration.ofMillis(10));
    return new AccountPoller(
        account -> responses.removeFirst(),
        snapshots,
        deadLetters,
        config,
        meters,
        failedAccounts::add);
  }

  @Test
  void publishesTheFirstSnapshotThenOnlyChanges() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    responses.add(success("1.60", "NORMAL", T0));
    responses.add(success("1.60", "NORMAL", T0.plusSeconds(5)));
    responses.add(success("1.45", "MARGIN_CALL", T0.plusSeconds(10)));

    for (int i = 0; i < 3; i++) {
      pollAndSettle(poller);
    }

    List<AccountSnapshot> sent = sent(2);
    assertThat(sent).extracting(AccountSnapshot::getSequence).containsExactly(1L, 2L);
    assertThat(sent.get(1).getAccountStatus()).isEqualTo(AccountStatus.MARGIN_CALL);
  }

  @Test
  void publishesAnUnchangedAccountOncePerHeartbeat() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    responses.add(success("1.60", "NORMAL", T0));
    responses.add(success("1.60", "NORMAL", T0.plusSeconds(59)));
    responses.add(success("1.60", "NORMAL", T0.plusSeconds(60)));

    for (int i = 0; i < 3; i++) {
      pollAndSettle(poller);
    }

    assertThat(sent(2))
        .extracting(AccountSnapshot::getObservedAt)
        .containsExactly(T0, T0.plusSeconds(60));
  }

  @Test
  void everyPollPublishesEveryResponse() {
    AccountPoller poller = poller(EmissionPolicy.EVERY_POLL);
    responses.add(success("1.60", "NORMAL", T0));
    responses.add(success("1.60", "NORMAL", T0.plusSeconds(5)));

    pollAndSettle(poller);
    pollAndSettle(poller);

    assertThat(sent(2)).extracting(AccountSnapshot::getSequence).containsExactly(1L, 2L);
  }

  @Test
  void writesEveryDecimalAtTheSchemaScaleAndEmptyFieldsAsNull() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    responses.add(success("1.6", "NORMAL", T0));

    poller.poll(ALICE);

    AccountSnapshot snapshot = sent(1).get(0);
    assertThat(snapshot.getUniMMR()).isEqualByComparingTo("1.6").hasScaleOf(8);
    assertThat(snapshot.getAccountEquity()).hasScaleOf(8);
    assertThat(snapshot.getTotalAvailableBalance()).isNull();
    assertThat(snapshot.getPollerInstanceId()).isEqualTo("poller-1");
    assertThat(snapshot.getRequestLatencyMs()).isEqualTo(42);
    assertThat(snapshot.getUsedWeight1m()).isEqualTo(20);
  }

  @Test
  void keepsAnUnknownStatusAsUnknownWithTheRawValue() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    responses.add(success("1.6", "SOMETHING_NEW", T0));

    poller.poll(ALICE);

    AccountSnapshot snapshot = sent(1).get(0);
    assertThat(snapshot.getAccountStatus()).isEqualTo(AccountStatus.UNKNOWN);
    assertThat(snapshot.getAccountStatusRaw()).isEqualTo("SOMETHING_NEW");
  }

  @Test
  void sendsABadPayloadToTheDeadLetterTopicAndKeepsPolling() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    responses.add(failure(FailureKind.BAD_PAYLOAD, false, "<html>oops</html>"));
    responses.add(success("1.6", "NORMAL", T0));

    poller.poll(ALICE);
    poller.poll(ALICE);

    await().until(() -> dlqProducer.history().size() == 1);
    ProducerRecord<String, String> letter = dlqProducer.history().get(0);
    assertThat(letter.key()).isEqualTo("alice");
    assertThat(letter.value())
        .contains("\"errorKind\":\"BAD_PAYLOAD\"")
        .contains("\"rawBody\":\"<html>oops</html>\"")
        .contains("\"httpStatus\":200");
    assertThat(sent(1)).hasSize(1);
    assertThat(failedAccounts).isEmpty();
  }

  @Test
  void marksAnAccountFailedOnceOnAFatalConfigurationError() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    responses.add(
        failure(FailureKind.FATAL_CONFIG, true, "{\"code\":-2015,\"msg\":\"Invalid API-key\"}"));
    responses.add(
        failure(FailureKind.FATAL_CONFIG, true, "{\"code\":-2015,\"msg\":\"Invalid API-key\"}"));

    poller.poll(ALICE);
    poller.poll(ALICE);

    assertThat(failedAccounts).containsExactly("alice");
    assertThat(poller.failedAccounts()).containsExactly("alice");
    await().until(() -> dlqProducer.history().size() == 2);
    assertThat(dlqProducer.history().get(0).value()).contains("\"binanceCode\":-2015");
  }

  @Test
  void doesNotDeadLetterTransientFailures() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    responses.add(failure(FailureKind.RETRIES_EXHAUSTED, false, "busy"));

    poller.poll(ALICE);

    assertThat(deadLetters.pending()).isZero();
    assertThat(dlqProducer.history()).isEmpty();
    assertThat(
            meters
                .counter("pmas.polls", "outcome", "retries_exhausted", "account", "alice")
                .count())
        .isEqualTo(1.0);
  }

  /**
   * Polls once and waits until the publisher has nothing unsent, as between two real poll
   * intervals.
   */
  private void pollAndSettle(AccountPoller poller) {
    poller.poll(ALICE);
    await().until(() -> snapshots.unsent() == 0);
  }

  private List<AccountSnapshot> sent(int expected) {
    await().until(() -> snapshotProducer.history().size() >= expected);
    return snapshotProducer.history().stream().map(ProducerRecord::value).toList();
  }

  private static FetchOutcome success(String uniMmr, String status, Instant receivedAt) {
    PmAccountStatus known;
    try {
      known = PmAccountStatus.valueOf(status);
    } catch (IllegalArgumentException e) {
      known = PmAccountStatus.UNKNOWN;
    }
    AccountInfo info =
        new AccountInfo(
            Optional.of(new BigDecimal(uniMmr)),
            new BigDecimal("1000.12345678"),
            new BigDecimal("1000.5"),
            new BigDecimal("100"),
            new BigDecimal("600"),
            known,
            status,
            Optional.of(new BigDecimal("12.5")),
            Optional.empty(),
            Optional.empty(),
            T0.minusSeconds(30));
    return new FetchOutcome.Success(
        info, new ResponseMeta(receivedAt, Duration.ofMillis(42), OptionalInt.of(20), 1));
  }

  private static FetchOutcome failure(FailureKind kind, boolean accountFailed, String body) {
    boolean fatal = kind == FailureKind.FATAL_CONFIG;
    return new FetchOutcome.Failure(
        kind,
        OptionalInt.of(fatal ? 401 : 200),
        fatal ? Optional.of(-2015) : Optional.empty(),
        "what happened",
        "what to do",
        Optional.of(body),
        T0,
        accountFailed);
  }
}
