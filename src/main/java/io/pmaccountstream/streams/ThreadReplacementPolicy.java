package io.pmaccountstream.streams;

import io.pmaccountstream.config.CauseChain;
import io.pmaccountstream.retry.Backoff;
import io.pmaccountstream.serde.SchemaRegistryException;
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
 * <ul>
 *   <li>A JVM {@link Error} (out of memory and the like): shut this client down so the process
 *       exits non-zero and its supervisor (k8s) restarts it.
 *   <li>A schema registry failure (the error handlers fail only for the registry's own faults:
 *       unreachable, 5xx, credentials refused): processing holds back. The thread is replaced after
 *       a back-off ({@link #FIRST_BACKOFF} doubling to {@link #MAX_BACKOFF}), without counting
 *       against the replacement budget, so the app resumes by itself when the registry answers
 *       again and never skips a record for it.
 *   <li>Anything else: replace the thread, at most {@code maxReplacements} times within {@code
 *       window}; beyond that, shut the client down. Bad records do not get here (they are
 *       dead-lettered), so this is a bug or an infrastructure failure that a restart may clear.
 * </ul>
 *
 * Under exactly-once a replaced thread resumes from the last committed transaction, so a
 * replacement neither loses nor duplicates output.
 */
final class ThreadReplacementPolicy implements StreamsUncaughtExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ThreadReplacementPolicy.class);

  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  private static final Backoff BACKOFF = Backoff.withoutJitter(FIRST_BACKOFF, MAX_BACKOFF);

  /** Waits; the policy's only way to pass time, so tests need not sleep. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final int maxReplacements;
  private final Duration window;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Deque<Instant> recent = new ArrayDeque<>();
  private int outagesInRow;
  private Instant lastOutage;

  ThreadReplacementPolicy(int maxReplacements, Duration window, Clock clock) {
    this(maxReplacements, window, clock, d -> Thread.sleep(d.toMillis()));
  }

  ThreadReplacementPolicy(int maxReplacements, Duration window, Clock clock, Sleeper sleeper) {
    this.maxReplacements = maxReplacements;
    this.window = window;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
    if (CauseChain.find(exception, Error.class).isPresent()) {
      log.error("Stream thread died of a JVM error; shutting the derive client down", exception);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    Instant now = clock.instant();
    if (CauseChain.find(exception, SchemaRegistryException.class).isPresent()) {
      return holdBack(now, exception);
    }
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

  private StreamThreadExceptionResponse holdBack(Instant now, Throwable exception) {
    if (lastOutage == null || lastOutage.isBefore(now.minus(window))) {
      outagesInRow = 0;
    }
    lastOutage = now;
    Duration backoff = BACKOFF.delay(outagesInRow++);
    log.error(
        "The schema registry failed ({}); holding processing back, replacing the stream thread in"
            + " {} (nothing is skipped)",
        CauseChain.find(exception, SchemaRegistryException.class).orElseThrow().getMessage(),
        backoff);
    try {
      sleeper.sleep(backoff);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }
}
