package io.pmaccountstream.simulator;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * A runtime change to an account: the state it produced, and a future that completes with the
 * server time at which a complete, well-formed 200 response first showed it (or a later version).
 * Faulty responses do not count as served.
 */
public record Change(AccountState state, CompletableFuture<Instant> served) {

  public long version() {
    return state.version();
  }
}
