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
import io.pmaccountstream.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
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
  private final TestClock clock = new TestClock(T0);
  private final DeadLetterPublisher deadLetters =
      new DeadLetterPublisher(dlqProducer, "dlq", 1 << 20, meters);
  private final SnapshotPublisher snapshots =
      new SnapshotPublisher(
          snapshotProducer,
          "snapshots",
          Duration.ofMillis(10),
          1 << 20,
          deadLetters::publish,
          "poller-1",
          meters,
          clock);
  private final Deque<FetchOutcome> responses = new ArrayDeque<>();
  private final AtomicInteger fetches = new AtomicInteger();

  @AfterEach
  void close() {
    snapshots.close(Duration.ofSeconds(1));
    deadLetters.close(Duration.ofSeconds(1));
  }

  static PollerConfig config(EmissionPolicy policy) {
    return new PollerConfig(
        Duration.ofSeconds(5),
        0.0,
        policy,
        Duration.ofSeconds(60),
        4,
        Duration.ofSeconds(5),
        "poller-1",
        1 << 20,
        Duration.ofMillis(10),
        1 << 20,
        Duration.ofMinutes(1),
        Duration.ofMinutes(30),
        3);
  }

  private AccountPoller poller(EmissionPolicy policy) {
    return poller(
        (account, priority) -> {
          fetches.incrementAndGet();
          return responses.removeFirst();
        },
        policy);
  }

  private AccountPoller poller(AccountFetcher fetcher, EmissionPolicy policy) {
    return new AccountPoller(fetcher, snapshots, deadLetters, config(policy), meters, clock);
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
  void anAccountTakenOverContinuesFromItsLastSnapshotOnTheTopic() {
    AccountPoller before = poller(EmissionPolicy.CHANGES);
    responses.add(success("1.60", "NORMAL", T0));
    responses.add(success("1.45", "MARGIN_CALL", T0.plusSeconds(10)));
    pollAndSettle(before);
    pollAndSettle(before);
    AccountSnapshot last = sent(2).get(1);

    AccountPoller after = poller(EmissionPolicy.CHANGES);
    after.takeOver("alice", Optional.of(last));
    responses.add(success("1.45", "MARGIN_CALL", T0.plusSeconds(20)));
    responses.add(success("1.45", "MARGIN_CALL", T0.plusSeconds(69)));
    responses.add(success("1.45", "MARGIN_CALL", T0.plusSeconds(70)));
    for (int i = 0; i < 3; i++) {
      pollAndSettle(after);
    }

    // unchanged state: nothing until the heartbeat, due 60 s after the restored snapshot
    List<AccountSnapshot> sent = sent(3);
    assertThat(sent).hasSize(3);
    assertThat(sent.get(2).getSequence()).isEqualTo(3L);
    assertThat(sent.get(2).getObservedAt()).isEqualTo(T0.plusSeconds(70));
  }

  @Test
  void aServerClockCorrectionBackwardsHoldsTheObservationTimeOfTheInstancesLastSnapshot() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    responses.add(success("1.60", "NORMAL", T0.plusSeconds(5)));
    // the estimate of Binance's clock stepped back 55 ms between the two polls
    responses.add(success("1.45", "MARGIN_CALL", T0.plusSeconds(5).minusMillis(55)));
    responses.add(success("1.30", "MARGIN_CALL", T0.plusSeconds(6)));

    for (int i = 0; i < 3; i++) {
      pollAndSettle(poller);
    }

    assertThat(sent(3))
        .extracting(AccountSnapshot::getObservedAt)
        .containsExactly(T0.plusSeconds(5), T0.plusSeconds(5), T0.plusSeconds(6));
    assertThat(meters.get("pmas.snapshots.observed.at.held").tag("account", "alice").counter())
        .extracting(c -> c.count())
        .isEqualTo(1.0);
  }

  @Test
  void aPreviousOwnersLaterObservationTimeDoesNotHoldThisInstancesOwn() {
    FetchOutcome.Success itsPoll =
        (FetchOutcome.Success) success("1.60", "NORMAL", T0.plusSeconds(5));
    AccountSnapshot ofAnotherInstance =
        SnapshotMapper.toSnapshot("alice", itsPoll.account(), itsPoll.meta(), "poller-0", 7);
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    poller.takeOver("alice", Optional.of(ofAnotherInstance));
    // this instance's estimate of Binance's clock is 40 ms behind the previous owner's
    responses.add(success("1.45", "MARGIN_CALL", T0.plusSeconds(5).minusMillis(40)));

    pollAndSettle(poller);

    AccountSnapshot sent = sent(1).get(0);
    assertThat(sent.getObservedAt()).isEqualTo(T0.plusSeconds(5).minusMillis(40));
    assertThat(sent.getSequence()).isEqualTo(8L);
  }

  @Test
  void anAccountTakenOverWithoutHistoryStartsAtSequenceOne() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    poller.release("alice");
    poller.takeOver("alice", Optional.empty());
    responses.add(success("1.60", "NORMAL", T0));

    pollAndSettle(poller);

    assertThat(sent(1)).extracting(AccountSnapshot::getSequence).containsExactly(1L);
  }

  @Test
  void anAccountReleasedToAnotherInstanceIsNotPolledAndNotReportedStale() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    poller.watch(List.of("alice"));
    poller.release("alice");
    clock.advance(Duration.ofMinutes(10));

    poller.poll(ALICE);

    assertThat(fetches.get()).isZero();
    assertThat(poller.owns("alice")).isFalse();
    assertThat(meters.get("pmas.account.stale").tag("account", "alice").gauge().value())
        .isEqualTo(0.0);
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
    assertThat(poller.pausedAccounts()).isEmpty();
  }

  @Test
  void pausesOnlyThisAccountOnAFatalAnswerReportsItOnceAndResumesByItself() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    responses.add(fatal(403, Optional.empty()));
    responses.add(fatal(401, Optional.of(-2015)));
    responses.add(success("1.6", "NORMAL", T0.plusSeconds(200)));

    poller.poll(ALICE);
    assertThat(poller.status("alice").state()).isEqualTo(AccountPoller.State.PAUSED_FATAL);
    assertThat(poller.status("alice").pausedUntil()).contains(T0.plusSeconds(60));
    poller.poll(ALICE);
    clock.advance(Duration.ofSeconds(59));
    poller.poll(ALICE);
    assertThat(fetches).as("no request while paused").hasValue(1);

    clock.advance(Duration.ofSeconds(1));
    poller.poll(ALICE);
    assertThat(fetches).as("one try when the pause ends").hasValue(2);
    assertThat(poller.status("alice").pausedUntil())
        .as("the pause doubles while the cause lasts")
        .contains(T0.plusSeconds(60 + 120));

    clock.advance(Duration.ofSeconds(119));
    poller.poll(ALICE);
    assertThat(fetches).hasValue(2);
    clock.advance(Duration.ofSeconds(1));
    poller.poll(ALICE);

    assertThat(fetches).hasValue(3);
    assertThat(poller.status("alice").state()).isEqualTo(AccountPoller.State.POLLING);
    assertThat(poller.pausedAccounts()).isEmpty();
    assertThat(sent(1)).hasSize(1);
    assertThat(meters.counter("pmas.account.fatal.episodes", "account", "alice").count())
        .as("one episode")
        .isEqualTo(1.0);
    await().until(() -> dlqProducer.history().size() == 1);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> dlqProducer.history().size() == 1);
    assertThat(dlqProducer.history().get(0).value()).contains("\"httpStatus\":403");
  }

  @Test
  void capsThePauseAtTheConfiguredMaximum() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    for (int i = 0; i < 10; i++) {
      responses.add(fatal(302, Optional.empty()));
    }
    Duration expected = Duration.ofMinutes(1);
    for (int i = 0; i < 10; i++) {
      poller.poll(ALICE);
      Instant until = poller.status("alice").pausedUntil().orElseThrow();
      assertThat(Duration.between(clock.instant(), until)).isEqualTo(expected);
      clock.set(until);
      expected =
          expected.multipliedBy(2).compareTo(Duration.ofMinutes(30)) > 0
              ? Duration.ofMinutes(30)
              : expected.multipliedBy(2);
    }
    assertThat(fetches).hasValue(10);
  }

  @Test
  void aRejectedRequestPausesTheAccountLikeAFatalOne() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    responses.add(
        new FetchOutcome.Failure(
            FailureKind.REJECTED,
            OptionalInt.of(302),
            Optional.empty(),
            "redirected",
            "check binance.base.url",
            Optional.empty(),
            T0,
            false));

    poller.poll(ALICE);
    poller.poll(ALICE);

    assertThat(poller.pausedAccounts()).containsExactly("alice");
    assertThat(fetches).hasValue(1);
  }

  @Test
  void aPollThatThrowsIsCountedDeadLetteredAndTheNextPollGoesOn() {
    AtomicInteger calls = new AtomicInteger();
    AccountPoller poller =
        poller(
            (account, priority) -> {
              if (calls.incrementAndGet() == 1) {
                throw new ArithmeticException("Rounding necessary");
              }
              return success("1.6", "NORMAL", T0);
            },
            EmissionPolicy.CHANGES);

    poller.poll(ALICE);
    poller.poll(ALICE);

    assertThat(meters.counter("pmas.polls", "outcome", "error", "account", "alice").count())
        .isEqualTo(1.0);
    assertThat(meters.counter("pmas.polls", "outcome", "success", "account", "alice").count())
        .isEqualTo(1.0);
    await().until(() -> dlqProducer.history().size() == 1);
    assertThat(dlqProducer.history().get(0).value())
        .contains("\"errorKind\":\"POLL_ERROR\"")
        .contains("Rounding necessary");
    assertThat(sent(1)).hasSize(1);
  }

  @Test
  void reportsEachAccountsStateAndBadPayloadsInARow() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    responses.add(failure(FailureKind.BAD_PAYLOAD, false, "<html>"));
    responses.add(failure(FailureKind.BAD_PAYLOAD, false, "<html>"));
    responses.add(failure(FailureKind.RATE_LIMITED, false, ""));
    responses.add(failure(FailureKind.RETRIES_EXHAUSTED, false, ""));

    poller.poll(ALICE);
    poller.poll(ALICE);
    assertThat(poller.status("alice").state()).isEqualTo(AccountPoller.State.BAD_PAYLOADS);
    assertThat(poller.status("alice").badPayloadsInRow()).isEqualTo(2);
    poller.poll(ALICE);
    assertThat(poller.status("alice").state()).isEqualTo(AccountPoller.State.RATE_LIMITED);
    poller.poll(ALICE);
    assertThat(poller.status("alice").state()).isEqualTo(AccountPoller.State.BACKING_OFF);
  }

  @Test
  void freshnessIsTheAgeOfTheNewestStateInKafkaConfirmedByUnchangedPolls() {
    AccountPoller poller = poller(EmissionPolicy.CHANGES);
    poller.watch(List.of("alice"));
    responses.add(success("1.60", "NORMAL", T0));
    responses.add(success("1.60", "NORMAL", T0.plusSeconds(5)));
    responses.add(failure(FailureKind.RETRIES_EXHAUSTED, false, ""));

    assertThat(poller.status("alice").freshAsOf()).isEmpty();
    clock.advance(Duration.ofSeconds(16));
    assertThat(poller.isStale("alice")).as("nothing published 16 s after start").isTrue();

    pollAndSettle(poller);
    assertThat(poller.status("alice").age()).isZero();
    clock.advance(Duration.ofSeconds(5));
    pollAndSettle(poller);
    assertThat(poller.status("alice").age()).as("an unchanged poll confirms the state").isZero();
    clock.advance(Duration.ofSeconds(5));
    pollAndSettle(poller);
    clock.advance(Duration.ofSeconds(11));

    assertThat(poller.status("alice").age()).isEqualTo(Duration.ofSeconds(16));
    assertThat(poller.isStale("alice")).as("older than 3 intervals of 5 s").isTrue();
    assertThat(meters.get("pmas.account.snapshot.age").tag("account", "alice").gauge().value())
        .isEqualTo(16.0);
    assertThat(meters.get("pmas.account.stale").tag("account", "alice").gauge().value())
        .isEqualTo(1.0);
    assertThat(
            meters
                .get("pmas.account.state")
                .tags("account", "alice", "state", "BACKING_OFF")
                .gauge()
                .value())
        .isEqualTo(1.0);
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

  private static FetchOutcome fatal(int status, Optional<Integer> code) {
    return new FetchOutcome.Failure(
        FailureKind.FATAL_CONFIG,
        OptionalInt.of(status),
        code,
        "what happened",
        "what to do",
        Optional.of("{}"),
        T0,
        status == 401);
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
