package io.pmaccountstream.streams;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do when a stream thread dies of an exception.
 *
 * <p>Policy: replace the thread, at most {@code maxReplacements} times within {@code window};
 * beyond that, or for a JVM {@link Error} (out of memory and the like), shut this client down so
 * the process exits non-zero and its supervisor (k8s) restarts it with back-off and alerts. Under
 * exactly-once a replaced thread resumes from the last committed transaction, so a replacement
 * neither loses nor duplicates output. A deterministic failure (a bug on one record) fails again on
 * every replacement and so ends in a shutdown instead of a hot loop.
 */
final class ThreadReplacementPolicy implements StreamsUncaughtExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ThreadReplacementPolicy.class);

  private final int maxReplacements;
  private final Duration window;
  private final Clock clock;
  private final Deque<Instant> recent = new ArrayDeque<>();

  ThreadReplacementPolicy(int maxReplacements, Duration window, Clock clock) {
    this.maxReplacements = maxReplacements;
    this.window = window;
    this.clock = clock;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
    if (causedByError(exception)) {
      log.error("Stream thread died of a JVM error; shutting the derive client down", exception);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    Instant now = clock.instant();
    while (!recent.isEmpty() && !recent.peekFirst().isAfter(now.minus(window))) {
      recent.removeFirst();
    }
    if (recent.size() >= maxReplacements) {
      log.error(
          "Stream thread died {} times within {}; shutting the derive client down",
          recent.size() + 1,
          window,
          exception);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    recent.addLast(now);
    log.warn(
        "Stream thread died; replacing it ({} of {} replacements within {})",
        recent.size(),
        maxReplacements,
        window,
        exception);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  private static boolean causedByError(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Error) {
        return true;
      }
    }
    return false;
  }
}
