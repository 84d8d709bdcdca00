package io.pmaccountstream.poller;

import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.FetchOutcome;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The poll step for one account: fetch (the client awaits the weight budget, signs, sends,
 * classifies and parses) → emit a snapshot, or send the failure to the dead-letter topic.
 */
public final class AccountPoller {

  private static final Logger log = LoggerFactory.getLogger(AccountPoller.class);

  private final AccountFetcher client;
  private final SnapshotPublisher snapshots;
  private final DeadLetterPublisher deadLetters;
  private final PollerConfig config;
  private final MeterRegistry meters;
  private final Consumer<String> onAccountFailed;
  private final Map<String, Track> tracks = new ConcurrentHashMap<>();

  /** What the poller remembers of an account between polls; touched by one poll at a time. */
  private static final class Track {
    AccountSnapshot lastEmitted;
    Instant lastEmittedAt;
    long sequence;
    volatile boolean failed;
    volatile String lastError;
  }

  public AccountPoller(
      AccountFetcher client,
      SnapshotPublisher snapshots,
      DeadLetterPublisher deadLetters,
      PollerConfig config,
      MeterRegistry meters,
      Consumer<String> onAccountFailed) {
    this.client = client;
    this.snapshots = snapshots;
    this.deadLetters = deadLetters;
    this.config = config;
    this.meters = meters;
    this.onAccountFailed = onAccountFailed;
  }

  /** One poll of one account. */
  public void poll(AccountCredentials account) {
    String id = account.accountId();
    MDC.put("accountId", id);
    try {
      FetchOutcome outcome = client.fetch(account);
      if (outcome instanceof FetchOutcome.Success success) {
        emit(id, success);
      } else {
        fail(id, (FetchOutcome.Failure) outcome);
      }
    } finally {
      MDC.remove("accountId");
    }
  }

  private void emit(String id, FetchOutcome.Success success) {
    meters.counter("pmas.polls", "outcome", "success", "account", id).increment();
    Track track = track(id);
    track.lastError = null;
    AccountSnapshot snapshot =
        SnapshotMapper.toSnapshot(
            id, success.account(), success.meta(), config.instanceId(), track.sequence + 1);
    if (!shouldEmit(track, snapshot)) {
      meters.counter("pmas.snapshots", "outcome", "unchanged", "account", id).increment();
      return;
    }
    track.sequence++;
    track.lastEmitted = snapshot;
    track.lastEmittedAt = snapshot.getObservedAt();
    snapshots.offer(snapshot);
  }

  private boolean shouldEmit(Track track, AccountSnapshot snapshot) {
    if (config.emission() == EmissionPolicy.EVERY_POLL || track.lastEmitted == null) {
      return true;
    }
    boolean heartbeatDue =
        !snapshot.getObservedAt().isBefore(track.lastEmittedAt.plus(config.heartbeat()));
    return heartbeatDue || !SnapshotMapper.sameState(track.lastEmitted, snapshot);
  }

  private void fail(String id, FetchOutcome.Failure failure) {
    meters
        .counter("pmas.polls", "outcome", failure.kind().name().toLowerCase(), "account", id)
        .increment();
    Track track = track(id);
    track.lastError = failure.kind() + ": " + failure.message();
    switch (failure.kind()) {
      case BAD_PAYLOAD -> {
        log.warn("bad payload: {} (kept in the dead-letter topic)", failure.message());
        deadLetters.publish(deadLetter(id, failure));
      }
      case FATAL_CONFIG -> {
        log.error(
            "account failed, polling of this account stops: {} — {}",
            failure.message(),
            failure.advice());
        deadLetters.publish(deadLetter(id, failure));
      }
      default ->
          log.warn("poll failed: {} {} — {}", failure.kind(), failure.message(), failure.advice());
    }
    if (failure.accountFailed() && !track.failed) {
      track.failed = true;
      onAccountFailed.accept(id);
    }
  }

  private DeadLetter deadLetter(String id, FetchOutcome.Failure failure) {
    return new DeadLetter(
        id,
        failure.observedAt(),
        failure.kind().name(),
        failure.httpStatus(),
        failure.binanceCode(),
        failure.message(),
        failure.advice(),
        failure.rawBody(),
        config.instanceId());
  }

  private Track track(String id) {
    return tracks.computeIfAbsent(id, a -> new Track());
  }

  /** Accounts marked failed by a fatal configuration error. */
  public java.util.Set<String> failedAccounts() {
    java.util.Set<String> failed = new java.util.TreeSet<>();
    tracks.forEach(
        (id, track) -> {
          if (track.failed) {
            failed.add(id);
          }
        });
    return failed;
  }

  /**
   * Whether the account's last poll succeeded (for health): unknown accounts count as not yet
   * healthy.
   */
  public boolean isHealthy(String id) {
    Track track = tracks.get(id);
    return track != null && !track.failed && track.lastError == null && track.lastEmitted != null;
  }
}
