package io.pmaccountstream.simulator;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * A runtime change to an account: the state it produced, and a future that completes with the
 * server time at which a complete, well-formed 200 response first showed it (or a later version).
 * Faulty responses do not count as served. The future completes on the server's connection thread:
 * chain with the {@code ...Async} methods for anything slow.
 */
public record Change(AccountState state, CompletableFuture<Instant> served) {

  public long version() {
    return state.version();
  }
}
