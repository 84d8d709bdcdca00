package io.pmaccountstream.poller;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.FailureKind;
import io.pmaccountstream.binance.FetchOutcome;
import io.pmaccountstream.binance.WeightBudget.Priority;
import io.pmaccountstream.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The poll step for one account: fetch (the client awaits the weight budget, signs, sends,
 * classifies and parses) → emit a snapshot, or send the failure to the dead-letter topic.
 *
 * <p>No answer stops the monitoring of an account. An answer that looks fatal ({@code
 * FATAL_CONFIG}, {@code REJECTED}: 401, 403, 3xx, -2015, -1022) pauses only this account, for
 * {@code poll.fatal.backoff.initial} doubling up to {@code poll.fatal.backoff.max}; the episode is
 * reported once (one ERROR log, one dead letter, {@code pmas.account.fatal.episodes}, the state in
 * {@code /health}), and the next successful poll ends it by itself. Whatever the step throws is
 * caught here, counted, dead-lettered ({@code POLL_ERROR}) and the next poll goes on.
 */
public final class AccountPoller {

  /** The dead-letter kind of a poll that threw (a bug, never a silent stop). */
  public static final String POLL_ERROR = "POLL_ERROR";

  private static final Logger log = LoggerFactory.getLogger(AccountPoller.class);

  private final AccountFetcher client;
  private final SnapshotPublisher snapshots;
  private final DeadLetterPublisher deadLetters;
  private final PollerConfig config;
  private final Backoff fatalBackoff;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Instant startedAt;
  private final Map<String, Track> tracks = new ConcurrentHashMap<>();
  private final Duration longestInterval;
  private final Consumer<AccountSnapshot> observer;

  /** What one account is doing now, as {@code /health} and {@code /metrics} show it. */
  public enum State {
    /** The last poll succeeded (or none has ended yet). */
    POLLING,
    /** Transient errors outlasted the client's retries (timeouts, 5xx, clock skew). */
    BACKING_OFF,
    /** Over the weight limit, or the IP is banned: the client waits. */
    RATE_LIMITED,
    /** An answer that looks fatal: this account is paused on a capped backoff. */
    PAUSED_FATAL,
    /** The last answers were not accounts (counted in a row). */
    BAD_PAYLOADS
  }

  /**
   * One account's status.
   *
   * @param state what it is doing
   * @param reason why, for people ("" while POLLING)
   * @param badPayloadsInRow bad answers since the last good one
   * @param freshAsOf when the newest state in Kafka was last known current (local clock)
   * @param age how old that is now (since start when nothing was published yet)
   * @param pausedUntil while PAUSED_FATAL: the earliest next try
   */
  public record AccountStatus(
      State state,
      String reason,
      int badPayloadsInRow,
      Optional<Instant> freshAsOf,
      Duration age,
      Optional<Instant> pausedUntil) {}

  /** What the poller remembers of an account between polls; touched by one poll at a time. */
  private static final class Track {
    AccountSnapshot lastEmitted;
    Instant lastEmittedAt;
    long sequence;
    volatile State state = State.POLLING;
    volatile String reason = "";
    volatile int badPayloadsInRow;
    volatile Instant pausedUntil;

    /** The pauses of the current fatal episode so far. */
    volatile int pauses;

    /** The last poll that found the last emitted state unchanged: its sequence and local time. */
    volatile long unchangedSequence = -1;

    volatile Instant unchangedAt;

    /** Whether this instance polls the account (always, unless instances share the accounts). */
    volatile boolean owned = true;

    /** Since when this instance polls the account: the age of a never-published account. */
    volatile Instant ownedSince;
  }

  public AccountPoller(
      AccountFetcher client,
      SnapshotPublisher snapshots,
      DeadLetterPublisher deadLetters,
      PollerConfig config,
      MeterRegistry meters,
      Clock clock) {
    this(client, snapshots, deadLetters, config, config.interval(), s -> {}, meters, clock);
  }

  /**
   * @param longestInterval the longest an account waits between two polls ({@code
   *     poll.interval.max} when adaptive): what staleness counts in
   * @param observer told of every successful poll's snapshot, published or not (the adaptive
   *     intervals follow it)
   */
  public AccountPoller(
      AccountFetcher client,
      SnapshotPublisher snapshots,
      DeadLetterPublisher deadLetters,
      PollerConfig config,
      Duration longestInterval,
      Consumer<AccountSnapshot> observer,
      MeterRegistry meters,
      Clock clock) {
    this.longestInterval = longestInterval;
    this.observer = observer;
    this.client = client;
    this.snapshots = snapshots;
    this.deadLetters = deadLetters;
    this.config = config;
    this.fatalBackoff =
        Backoff.withoutJitter(config.fatalBackoffInitial(), config.fatalBackoffMax());
    this.meters = meters;
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  /** Registers the per-account gauges of state and freshness ({@code pmas.account.*}). */
  public void watch(Collection<String> accountIds) {
    for (String id : accountIds) {
      Track track = track(id);
      Gauge.builder(
              "pmas.account.snapshot.age",
              this,
              p -> p.owns(id) ? p.status(id).age().toMillis() / 1000.0 : Double.NaN)
          .description(
              "Age of the account's newest state in Kafka (published, or confirmed unchanged by a"
                  + " later poll)")
          .baseUnit("seconds")
          .tag("account", id)
          .register(meters);
      Gauge.builder("pmas.account.stale", this, p -> p.owns(id) && p.isStale(id) ? 1 : 0)
          .description("1 when the account's newest state is older than poll.stale.after.intervals")
          .tag("account", id)
          .register(meters);
      Gauge.builder("pmas.account.bad.payloads.in.row", track, t -> t.badPayloadsInRow)
          .description("Bad answers since the account's last good one")
          .tag("account", id)
          .register(meters);
      for (State state : State.values()) {
        Gauge.builder("pmas.account.state", track, t -> t.state == state ? 1 : 0)
            .description("1 for the account's current state")
            .tags("account", id, "state", state.name())
            .register(meters);
      }
    }
  }

  /**
   * This instance takes the account over: change detection, heartbeat timing and sequence continue
   * from its last published snapshot (read back from the topic), or start afresh when it has none.
   * Its state, reason and pause start over.
   */
  public void takeOver(String id, Optional<AccountSnapshot> last) {
    Track track = track(id);
    synchronized (track) {
      track.lastEmitted = last.orElse(null);
      track.lastEmittedAt = last.map(AccountSnapshot::getObservedAt).orElse(null);
      track.sequence = last.map(AccountSnapshot::getSequence).orElse(0L);
      track.state = State.POLLING;
      track.reason = "";
      track.badPayloadsInRow = 0;
      track.pauses = 0;
      track.pausedUntil = null;
      track.unchangedSequence = -1;
      track.unchangedAt = null;
      track.ownedSince = clock.instant();
      track.owned = true;
    }
  }

  /** This instance no longer polls the account (another instance of the group does). */
  public void release(String id) {
    track(id).owned = false;
  }

  /** Marks every account as not polled here until {@link #takeOver} (instances share them). */
  public void releaseAll(Collection<String> accountIds) {
    accountIds.forEach(this::release);
  }

  /** Whether this instance polls the account. */
  public boolean owns(String id) {
    return track(id).owned;
  }

  /** One scheduled poll of one account; never throws. */
  public void poll(AccountCredentials account) {
    poll(account, Priority.ROUTINE);
  }

  /** One poll of one account, with this priority in the weight budget; never throws. */
  public void poll(AccountCredentials account, Priority priority) {
    String id = account.accountId();
    MDC.put("accountId", id);
    try {
      Track track = track(id);
      if (!track.owned) {
        return; // another instance of the group polls it now
      }
      Instant pausedUntil = track.pausedUntil;
      if (track.state == State.PAUSED_FATAL && clock.instant().isBefore(pausedUntil)) {
        meters.counter("pmas.polls", "outcome", "paused", "account", id).increment();
        return;
      }
      FetchOutcome outcome = client.fetch(account, priority);
      if (outcome instanceof FetchOutcome.Success success) {
        emit(id, track, success);
      } else {
        fail(id, track, (FetchOutcome.Failure) outcome);
      }
    } catch (RuntimeException e) {
      pollThrew(id, e);
    } finally {
      MDC.remove("accountId");
    }
  }

  private void emit(String id, Track track, FetchOutcome.Success success) {
    AccountSnapshot snapshot =
        SnapshotMapper.toSnapshot(
            id, success.account(), success.meta(), config.instanceId(), track.sequence + 1);
    keepObservationOrder(id, track, snapshot);
    meters.counter("pmas.polls", "outcome", "success", "account", id).increment();
    endEpisode(id, track);
    track.state = State.POLLING;
    track.reason = "";
    track.badPayloadsInRow = 0;
    observe(snapshot);
    if (!shouldEmit(track, snapshot)) {
      meters.counter("pmas.snapshots", "outcome", "unchanged", "account", id).increment();
      track.unchangedAt = clock.instant();
      track.unchangedSequence = track.sequence;
      return;
    }
    track.sequence++;
    track.lastEmitted = snapshot;
    track.lastEmittedAt = snapshot.getObservedAt();
    snapshots.offer(snapshot);
  }

  /**
   * An account's snapshots from one instance never go back in time. {@code observedAt} is on the
   * estimate of Binance's clock, and a correction of that estimate can step it back between two
   * polls (to the safe low end of the Date headers' agreement, see {@code ServerClock}): tens of ms
   * here, at most about a second, since Binance refuses timestamps further ahead. Such a snapshot
   * keeps the previous one's {@code observedAt}, so the topic stays in observation order within an
   * owner's run, as replay ranges and the derivation's equal-updateTime rule expect. A previous
   * owner's snapshot (another instance id) does not hold ours: its clock estimate is its own.
   */
  private void keepObservationOrder(String id, Track track, AccountSnapshot snapshot) {
    AccountSnapshot last = track.lastEmitted;
    if (last != null
        && last.getPollerInstanceId().equals(snapshot.getPollerInstanceId())
        && snapshot.getObservedAt().isBefore(last.getObservedAt())) {
      snapshot.setObservedAt(last.getObservedAt());
      meters.counter("pmas.snapshots.observed.at.held", "account", id).increment();
    }
  }

  private void observe(AccountSnapshot snapshot) {
    try {
      observer.accept(snapshot);
    } catch (RuntimeException e) {
      meters.counter("pmas.loop.errors", "loop", "poll-worker").increment();
      log.error("the snapshot observer threw; the poll goes on", e);
    }
  }

  private boolean shouldEmit(Track track, AccountSnapshot snapshot) {
    if (config.emission() == EmissionPolicy.EVERY_POLL || track.lastEmitted == null) {
      return true;
    }
    boolean heartbeatDue =
        !snapshot.getObservedAt().isBefore(track.lastEmittedAt.plus(config.heartbeat()));
    return heartbeatDue || !SnapshotMapper.sameState(track.lastEmitted, snapshot);
  }

  private void fail(String id, Track track, FetchOutcome.Failure failure) {
    meters
        .counter("pmas.polls", "outcome", failure.kind().name().toLowerCase(), "account", id)
        .increment();
    if (looksFatal(failure)) {
      pause(id, track, failure);
      return;
    }
    switch (failure.kind()) {
      case BAD_PAYLOAD -> {
        track.badPayloadsInRow++;
        track.state = State.BAD_PAYLOADS;
        track.reason = failure.message();
        log.warn("bad payload: {} (kept in the dead-letter topic)", failure.message());
        deadLetters.publish(deadLetter(id, failure));
      }
      case RATE_LIMITED, IP_BANNED -> {
        track.state = State.RATE_LIMITED;
        track.reason = failure.kind() + ": " + failure.message();
        log.warn("poll failed: {} {} — {}", failure.kind(), failure.message(), failure.advice());
      }
      case INTERRUPTED -> log.debug("poll interrupted (shutting down)");
      default -> {
        track.state = State.BACKING_OFF;
        track.reason = failure.kind() + ": " + failure.message();
        log.warn("poll failed: {} {} — {}", failure.kind(), failure.message(), failure.advice());
      }
    }
  }

  private static boolean looksFatal(FetchOutcome.Failure failure) {
    return failure.kind() == FailureKind.FATAL_CONFIG
        || failure.kind() == FailureKind.REJECTED
        || failure.accountFailed();
  }

  /** Pauses the account; the first fatal answer of an episode is the one that is reported. */
  private void pause(String id, Track track, FetchOutcome.Failure failure) {
    boolean newEpisode = track.state != State.PAUSED_FATAL;
    Duration pause = fatalBackoff.delay(newEpisode ? 0 : track.pauses);
    track.pauses = newEpisode ? 1 : track.pauses + 1;
    track.pausedUntil = clock.instant().plus(pause);
    track.reason = failure.kind() + ": " + failure.message();
    track.state = State.PAUSED_FATAL;
    if (newEpisode) {
      meters.counter("pmas.account.fatal.episodes", "account", id).increment();
      log.error(
          "account paused for {} (retried on a backoff up to {}, the others go on): {} {} — {}",
          pause,
          config.fatalBackoffMax(),
          failure.kind(),
          failure.message(),
          failure.advice());
      deadLetters.publish(deadLetter(id, failure));
    } else {
      log.debug("account still paused, next try in {}: {}", pause, failure.message());
    }
  }

  private void endEpisode(String id, Track track) {
    if (track.state == State.PAUSED_FATAL) {
      log.info("account resumed: it answers again after a fatal-looking answer ({})", track.reason);
      meters.counter("pmas.account.fatal.recoveries", "account", id).increment();
    }
    track.pauses = 0;
    track.pausedUntil = null;
  }

  private void pollThrew(String id, RuntimeException e) {
    meters.counter("pmas.polls", "outcome", "error", "account", id).increment();
    Track track = track(id);
    track.badPayloadsInRow++;
    track.state = State.BAD_PAYLOADS;
    track.reason = "poll threw " + e.getClass().getSimpleName();
    log.error("poll threw; kept in the dead-letter topic, polling goes on", e);
    deadLetters.publish(
        new DeadLetter(
            id,
            clock.instant(),
            POLL_ERROR,
            OptionalInt.empty(),
            Optional.empty(),
            "the poll step threw " + e,
            "A bug in the poller: report it with this record. The account keeps being polled.",
            Optional.empty(),
            config.instanceId()));
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

  /** The account's state and freshness now. */
  public AccountStatus status(String id) {
    Track track = track(id);
    Optional<Instant> fresh = freshAsOf(id, track);
    Instant now = clock.instant();
    return new AccountStatus(
        track.state,
        track.reason,
        track.badPayloadsInRow,
        fresh,
        Duration.between(fresh.filter(t -> t.isAfter(since(track))).orElse(since(track)), now),
        track.state == State.PAUSED_FATAL
            ? Optional.ofNullable(track.pausedUntil)
            : Optional.empty());
  }

  /**
   * When the account's newest state in Kafka was last known to be current: the offer time of the
   * last acknowledged snapshot, or a later poll that found that very state unchanged.
   */
  private Optional<Instant> freshAsOf(String id, Track track) {
    Optional<SnapshotPublisher.Published> published = snapshots.lastPublished(id);
    if (published.isEmpty()) {
      return Optional.empty();
    }
    Instant at = published.get().offeredAt();
    Instant unchangedAt = track.unchangedAt;
    if (unchangedAt != null
        && track.unchangedSequence <= published.get().sequence()
        && unchangedAt.isAfter(at)) {
      at = unchangedAt;
    }
    return Optional.of(at);
  }

  private Instant since(Track track) {
    Instant owned = track.ownedSince;
    return owned != null && owned.isAfter(startedAt) ? owned : startedAt;
  }

  /** How old an account's newest state may get before it counts as stale. */
  public Duration staleAfter() {
    return Duration.ofMillis((long) (longestInterval.toMillis() * config.staleAfterIntervals()));
  }

  /** Whether the account's newest state in Kafka is older than {@link #staleAfter()}. */
  public boolean isStale(String id) {
    return status(id).age().compareTo(staleAfter()) > 0;
  }

  /** Accounts paused after an answer that looks fatal. */
  public Set<String> pausedAccounts() {
    Set<String> paused = new TreeSet<>();
    tracks.forEach(
        (id, track) -> {
          if (track.state == State.PAUSED_FATAL) {
            paused.add(id);
          }
        });
    return paused;
  }

  /**
   * Whether the account's last poll succeeded (for health): unknown accounts count as not yet
   * healthy.
   */
  public boolean isHealthy(String id) {
    Track track = tracks.get(id);
    return track != null && track.state == State.POLLING && track.lastEmitted != null;
  }
}
