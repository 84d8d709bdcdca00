package io.pmaccountstream.testing;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.derivation.Deriver;
import java.util.ArrayList;
import java.util.List;

/**
 * What the one derivation fold ({@link AccountFold}, the Streams processor's and replay's) emits,
 * collected: the expected side of the tests that compare a real run with the plain fold.
 */
public final class FoldedEvents implements AccountFold.Events {

  public final List<AccountStatusTransition> transitions = new ArrayList<>();
  public final List<UniMmrLevelEvent> levelEvents = new ArrayList<>();

  /** Every accepted snapshot, in order: what derive writes to the latest topic. */
  public final List<AccountSnapshot> accepted = new ArrayList<>();

  /** Transitions and level events together, in emission order. */
  public final List<Object> events = new ArrayList<>();

  /** Snapshots {@link #of} derived as stale: no state change, no events. */
  public int stale;

  /**
   * The fold of {@code snapshots}, each keyed by its accountId and in this order (the order of
   * their partition), with the default derivation.
   */
  public static FoldedEvents of(List<AccountSnapshot> snapshots) {
    AccountFold fold = new AccountFold(new Deriver(DerivationConfig.defaults()));
    AccountFold.States states = AccountFold.States.inMemory();
    FoldedEvents folded = new FoldedEvents();
    for (AccountSnapshot snapshot : snapshots) {
      AccountFold.Step step = fold.apply(snapshot.getAccountId(), snapshot, states, folded);
      if (step instanceof AccountFold.Derived derived && !derived.derivation().accepted()) {
        folded.stale++;
      }
    }
    return folded;
  }

  @Override
  public void transition(AccountStatusTransition transition) {
    transitions.add(transition);
    events.add(transition);
  }

  @Override
  public void levelEvent(UniMmrLevelEvent event) {
    levelEvents.add(event);
    events.add(event);
  }

  @Override
  public void accepted(AccountSnapshot snapshot) {
    accepted.add(snapshot);
  }
}
