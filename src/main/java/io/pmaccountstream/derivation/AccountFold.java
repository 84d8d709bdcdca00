package io.pmaccountstream.derivation;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The derivation fold over a stream of snapshot records, written once for the Kafka Streams
 * processor, replay and the tests: admit the record, read the account's state, {@link
 * Deriver#derive derive}, write the state, emit the events. Where the state lives and where the
 * events go are the caller's ({@link States}, {@link Events}).
 *
 * <p>A record is <b>rejected</b>, before any state is read, when it is not a plausible snapshot of
 * its key's account (the same rule live and in replay, so both skip the same records):
 *
 * <ul>
 *   <li>{@value #NO_VALUE}: a record without a value;
 *   <li>{@value #KEY_MISMATCH}: a null key or a key that is not the snapshot's accountId;
 *   <li>{@value #UPDATE_TIME_AHEAD}: an {@code updateTime} more than {@link
 *       DerivationConfig#maxUpdateTimeLead()} after the snapshot's {@code observedAt}. Stored, it
 *       would make every later snapshot of the account stale (a year-9999 {@code updateTime}
 *       forever).
 * </ul>
 *
 * <p>A stale snapshot is not rejected: it is derived (no state change, no events) and reported as
 * stale. Stateless and thread-safe.
 */
public final class AccountFold {

  /** Reason of a record without a value (a tombstone). */
  public static final String NO_VALUE = "no value (tombstone)";

  /** Reason of a record whose key is not its snapshot's accountId. */
  public static final String KEY_MISMATCH = "key is not the snapshot's accountId";

  /** Reason of a snapshot whose updateTime lies too far after its observedAt. */
  public static final String UPDATE_TIME_AHEAD = "updateTime too far after observedAt";

  /** Where the fold reads and writes each account's state: a state store live, a map in replay. */
  public interface States {

    /** The account's state after its last accepted snapshot; null for an account not seen. */
    AccountDerivationState get(String accountId);

    void put(String accountId, AccountDerivationState state);

    /** Each account's state in a map in memory (replay, and the plain fold tests compare with). */
    static States inMemory() {
      Map<String, AccountDerivationState> states = new HashMap<>();
      return new States() {
        @Override
        public AccountDerivationState get(String accountId) {
          return states.get(accountId);
        }

        @Override
        public void put(String accountId, AccountDerivationState state) {
          states.put(accountId, state);
        }
      };
    }
  }

  /** Where the events of an accepted snapshot go, in the order the {@link Deriver} emits them. */
  public interface Events {

    void transition(AccountStatusTransition transition);

    void levelEvent(UniMmrLevelEvent event);

    /** Called last for an accepted snapshot, after its events (the latest-snapshot output). */
    default void accepted(AccountSnapshot snapshot) {}

    /** Events that go nowhere (replay's warm-up: state is rebuilt, nothing is emitted). */
    static Events none() {
      return new Events() {
        @Override
        public void transition(AccountStatusTransition transition) {}

        @Override
        public void levelEvent(UniMmrLevelEvent event) {}
      };
    }
  }

  /**
   * Why a record was rejected: {@code reason} is one of the constants, the same for every such
   * record.
   */
  public record Rejection(String reason, String detail) {

    public Rejection {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
      return detail.isEmpty() ? reason : reason + " (" + detail + ")";
    }
  }

  /** What one record did. */
  public sealed interface Step {}

  /** The record was not a plausible snapshot of its key's account: nothing was read or written. */
  public record Rejected(Rejection rejection) implements Step {}

  /**
   * The snapshot was derived (possibly as stale).
   *
   * @param previous the account's state before it (null for a new account)
   * @param derivation what the snapshot did
   */
  public record Derived(AccountDerivationState previous, Derivation derivation) implements Step {}

  private final Deriver deriver;
  private final long maxLeadMillis;

  public AccountFold(Deriver deriver) {
    this.deriver = Objects.requireNonNull(deriver, "deriver");
    Duration lead = deriver.config().maxUpdateTimeLead();
    this.maxLeadMillis = lead.toMillis();
  }

  public Deriver deriver() {
    return deriver;
  }

  /**
   * Folds one record into {@code states}, emitting its events to {@code events}: the state is
   * written and the events emitted only for an accepted snapshot; a stale or rejected one changes
   * nothing.
   */
  public Step apply(String key, AccountSnapshot snapshot, States states, Events events) {
    Optional<Rejection> rejection = rejection(key, snapshot);
    if (rejection.isPresent()) {
      return new Rejected(rejection.get());
    }
    AccountDerivationState previous = states.get(key);
    Derivation derivation = deriver.derive(previous, snapshot);
    if (derivation.accepted()) {
      states.put(key, derivation.state());
      derivation.transition().ifPresent(events::transition);
      List<UniMmrLevelEvent> levelEvents = derivation.levelEvents();
      for (int i = 0, n = levelEvents.size(); i < n; i++) {
        events.levelEvent(levelEvents.get(i));
      }
      events.accepted(snapshot);
    }
    return new Derived(previous, derivation);
  }

  /** Why the record takes no part in the derivation, if it does not. */
  public Optional<Rejection> rejection(String key, AccountSnapshot snapshot) {
    if (snapshot == null) {
      return Optional.of(new Rejection(NO_VALUE, ""));
    }
    if (key == null || !key.equals(snapshot.getAccountId())) {
      return Optional.of(
          new Rejection(
              KEY_MISMATCH,
              "key "
                  + (key == null ? "null" : "'" + key + "'")
                  + ", accountId '"
                  + snapshot.getAccountId()
                  + "'"));
    }
    long lead = snapshot.getUpdateTime().toEpochMilli() - snapshot.getObservedAt().toEpochMilli();
    if (lead > maxLeadMillis) {
      return Optional.of(
          new Rejection(
              UPDATE_TIME_AHEAD,
              "updateTime "
                  + snapshot.getUpdateTime()
                  + ", observedAt "
                  + snapshot.getObservedAt()
                  + ", at most "
                  + deriver.config().maxUpdateTimeLead()
                  + " ahead allowed"));
    }
    return Optional.empty();
  }
}
