package io.pmaccountstream.binance;

import java.time.Duration;

/**
 * Waits for a while. Injected next to a {@link java.time.Clock} so that tests advance time instead
 * of sleeping; implementations must throw {@link InterruptedException} promptly when interrupted.
 */
@FunctionalInterface
public interface Sleeper {

  /** The real thing: {@link Thread#sleep(long)}. */
  Sleeper SYSTEM =
      duration -> {
        if (!duration.isNegative() && !duration.isZero()) {
          Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        }
      };

  void sleep(Duration duration) throws InterruptedException;
}
