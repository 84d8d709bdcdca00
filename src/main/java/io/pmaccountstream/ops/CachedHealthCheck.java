package io.pmaccountstream.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** A check answered from its last result while that is younger than the time to live. */
final class CachedHealthCheck implements HealthCheck {

  private final HealthCheck delegate;
  private final Duration ttl;
  private final Clock clock;
  private Result last;
  private Instant checkedAt;

  CachedHealthCheck(HealthCheck delegate, Duration ttl, Clock clock) {
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("ttl must not be negative: " + ttl);
    }
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.ttl = ttl;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public synchronized Result check() {
    Instant now = clock.instant();
    if (last == null || !now.isBefore(checkedAt.plus(ttl))) {
      last = HealthChecks.run(delegate);
      checkedAt = now;
    }
    return last;
  }

  @Override
  public String name() {
    return delegate.name();
  }
}
