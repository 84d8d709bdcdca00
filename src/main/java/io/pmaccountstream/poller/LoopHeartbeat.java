package io.pmaccountstream.poller;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pulse of one internal loop (a sender thread, the poll ticker): the loop calls {@link #beat()}
 * on every turn; liveness asks {@link #stalled()}. A loop whose thread died, or that has not turned
 * for longer than its allowed silence, is stalled, and a stalled loop fails {@code /health/live} so
 * that Kubernetes restarts the pod: a loop that no longer runs must never go unnoticed.
 */
public final class LoopHeartbeat {

  private final String name;
  private final Duration maxSilence;
  private final AtomicLong lastBeatNanos = new AtomicLong(System.nanoTime());
  private volatile Thread thread;
  private volatile boolean stopped;

  public LoopHeartbeat(String name, Duration maxSilence) {
    this.name = name;
    this.maxSilence = maxSilence;
  }

  public String name() {
    return name;
  }

  /** The loop turned. */
  public void beat() {
    lastBeatNanos.set(System.nanoTime());
  }

  /** The thread that runs the loop: its death is noticed at once, without waiting for silence. */
  public void runsOn(Thread thread) {
    this.thread = thread;
  }

  /** The loop ended on purpose (shutdown): no longer a liveness concern. */
  public void stopped() {
    stopped = true;
  }

  /** Exposes {@code pmas.loop.stalled{loop}}: 1 while {@link #stalled()} says the loop is dead. */
  public LoopHeartbeat registerIn(MeterRegistry meters) {
    Gauge.builder("pmas.loop.stalled", this, h -> h.stalled().isPresent() ? 1 : 0)
        .description("1 when an internal loop died or is wedged (liveness fails; the pod restarts)")
        .tag("loop", name)
        .register(meters);
    return this;
  }

  /** Time since the last turn. */
  public Duration silence() {
    return Duration.ofNanos(System.nanoTime() - lastBeatNanos.get());
  }

  /** Why the loop counts as dead, or empty while it runs (or was stopped on purpose). */
  public Optional<String> stalled() {
    if (stopped) {
      return Optional.empty();
    }
    Thread t = thread;
    if (t != null && !t.isAlive()) {
      return Optional.of(name + ": its thread " + t.getName() + " has ended");
    }
    Duration silence = silence();
    if (silence.compareTo(maxSilence) > 0) {
      return Optional.of(
          name + ": no turn for " + silence.toSeconds() + " s (allowed " + maxSilence + ")");
    }
    return Optional.empty();
  }
}
