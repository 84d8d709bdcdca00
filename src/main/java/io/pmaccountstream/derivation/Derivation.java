package io.pmaccountstream.derivation;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import java.util.List;
import java.util.Optional;

/**
 * What one snapshot did to an account: the state to keep and the events to emit, transition first,
 * then the level events in the order {@link Deriver} documents.
 *
 * @param stale true when the snapshot was older than the last accepted one and was ignored; the
 *     state is then the previous one (null if there was none) and there are no events
 * @param state the account's state after the snapshot
 * @param transition the status transition, if the status changed or the account is new
 * @param levelEvents level events, possibly empty; never null
 */
public record Derivation(
    boolean stale,
    AccountDerivationState state,
    Optional<AccountStatusTransition> transition,
    List<UniMmrLevelEvent> levelEvents) {

  static Derivation stale(AccountDerivationState previous) {
    return new Derivation(true, previous, Optional.empty(), List.of());
  }

  /** The snapshot was accepted: it is the account's latest state. */
  public boolean accepted() {
    return !stale;
  }

  public boolean hasEvents() {
    return transition.isPresent() || !levelEvents.isEmpty();
  }
}
