package io.pmaccountstream.simulator;

import java.time.Instant;

/**
 * Told about every account state delivered in a complete 200 response, on the connection's thread
 * (keep it fast). Benchmarks use it to measure from "served" to "event seen downstream".
 */
@FunctionalInterface
public interface ServeListener {
  void served(AccountState state, Instant servedAt);
}
