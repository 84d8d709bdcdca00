package io.pmaccountstream.retry;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Bounded exponential backoff, the one formula of every retry in the project: retry {@code n} (from
 * 0) waits {@code min(max, initial * 2^n)}, or, {@link #withEqualJitter with "equal jitter"},
 * between half and all of it, so that accounts failing together do not retry together. Plain Java,
 * so that every package may use it.
 */
public final class Backoff {

  private final Duration initial;
  private final Duration max;
  private final DoubleSupplier random;

  private Backoff(Duration initial, Duration max, DoubleSupplier random) {
    this.initial = initial;
    this.max = max;
    this.random = random;
  }

  /**
   * Waits between half and all of the bound, in whole milliseconds.
   *
   * @param random uniform in [0, 1)
   */
  public static Backoff withEqualJitter(Duration initial, Duration max, DoubleSupplier random) {
    return new Backoff(initial, max, random);
  }

  /** Waits exactly the bound: {@code initial}, twice that, and so on up to {@code max}. */
  public static Backoff withoutJitter(Duration initial, Duration max) {
    return new Backoff(initial, max, null);
  }

  /** The wait before retry {@code retry} (from 0). */
  public Duration delay(int retry) {
    Duration ceiling = initial;
    for (int i = 0; i < retry && ceiling.compareTo(max) < 0; i++) {
      ceiling = ceiling.multipliedBy(2);
    }
    if (ceiling.compareTo(max) > 0) {
      ceiling = max;
    }
    if (random == null) {
      return ceiling;
    }
    long millis = ceiling.toMillis();
    long half = millis / 2;
    return Duration.ofMillis(half + (long) (random.getAsDouble() * (millis - half)));
  }
}
