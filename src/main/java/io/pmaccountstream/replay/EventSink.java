package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import java.util.List;

/**
 * Where a replay's derived events go: a file or prefixed topics. Events arrive in the order the
 * derivation emitted them.
 */
public interface EventSink extends AutoCloseable {

  void transition(AccountStatusTransition event);

  void levelEvent(UniMmrLevelEvent event);

  /** Flushes and releases; a sink that cannot finish writing throws {@link ReplayException}. */
  @Override
  void close();

  /** Where the events went, one line per file or topic, for the end-of-run report. */
  List<String> destinations();

  /** A sink that drops everything (a summary-only run). */
  static EventSink discarding() {
    return new EventSink() {
      @Override
      public void transition(AccountStatusTransition event) {}

      @Override
      public void levelEvent(UniMmrLevelEvent event) {}

      @Override
      public void close() {}

      @Override
      public List<String> destinations() {
        return List.of();
      }
    };
  }
}
