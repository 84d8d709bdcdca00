package io.pmaccountstream.testing;

import io.pmaccountstream.binance.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tests' one clock (UTC): it moves only when a test moves it ({@link #advance}, {@link #set})
 * or when something sleeps on it ({@link #sleep} advances it by the duration and records it), so
 * tests never wait for real; a {@link #ticking} clock also moves each time it is read, for code
 * that waits on the clock itself. Safe to read from several threads.
 */
public final class TestClock extends Clock implements Sleeper {

  private final AtomicReference<Instant> now;
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  private final Duration tick;

  public TestClock(Instant start) {
    this(start, Duration.ZERO);
  }

  private TestClock(Instant start, Duration tick) {
    this.now = new AtomicReference<>(start);
    this.tick = tick;
  }

  /**
   * A clock that moves {@code tick} forward every time it is read: the first read is start + tick.
   */
  public static TestClock ticking(Instant start, Duration tick) {
    return new TestClock(start, tick);
  }

  public static TestClock at(String isoInstant) {
    return new TestClock(Instant.parse(isoInstant));
  }

  public void advance(Duration duration) {
    now.updateAndGet(t -> t.plus(duration));
  }

  public void set(Instant instant) {
    now.set(instant);
  }

  /** Advances the clock by {@code duration} at once; throws if the thread is interrupted. */
  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedException();
    }
    sleeps.add(duration);
    advance(duration);
  }

  /** Every sleep so far, in order. */
  public List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  /** The sum of every sleep so far. */
  public Duration slept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }

  @Override
  public Instant instant() {
    return tick.isZero() ? now.get() : now.updateAndGet(t -> t.plus(tick));
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
