package io.pmaccountstream.binance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that only moves when something sleeps on it: tests never wait for real. */
final class FakeTime extends Clock implements Sleeper {

  private final AtomicReference<Instant> now;
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  FakeTime(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  /** 2026-11-23T10:00:05Z: five seconds into a minute. */
  static FakeTime startingAt5sPastTheMinute() {
    return new FakeTime(Instant.parse("2026-11-23T10:00:05Z"));
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedException();
    }
    sleeps.add(duration);
    advance(duration);
  }

  void advance(Duration duration) {
    now.updateAndGet(t -> t.plus(duration));
  }

  List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  Duration slept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }

  @Override
  public Instant instant() {
    return now.get();
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
