package io.pmaccountstream.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The simulator's two clocks, both read from one base clock. The server clock (timestamps, {@code
 * serverTime}, {@code Date}, weight minutes, {@code updateTime}) is the base plus a skew that can
 * change at runtime. The scenario clock starts at zero when the simulator starts and runs {@code
 * speed} times as fast as the base, so a demo can show 40 minutes of a scenario in 2.
 */
final class SimClock {

  private final Clock base;
  private final double speed;
  private volatile Duration skew;
  private volatile long startMillis;

  SimClock(Clock base, Duration skew, double speed) {
    if (!(speed > 0)) {
      throw new IllegalArgumentException("speed must be positive");
    }
    this.base = base;
    this.skew = skew;
    this.speed = speed;
    this.startMillis = base.millis();
  }

  void restart() {
    startMillis = base.millis();
  }

  long serverMillis() {
    return base.millis() + skew.toMillis();
  }

  Duration skew() {
    return skew;
  }

  void setSkew(Duration value) {
    skew = value;
  }

  double speed() {
    return speed;
  }

  long scenarioMillis() {
    return Math.max(0, (long) ((base.millis() - startMillis) * speed));
  }

  /** The server time at which the scenario reached {@code scenarioMillis}. */
  long serverMillisAt(long scenarioMillis) {
    return startMillis + Math.round(scenarioMillis / speed) + skew.toMillis();
  }

  /** The server clock as a {@link Clock} (skew included). */
  Clock serverClock() {
    return new ServerClock();
  }

  private final class ServerClock extends Clock {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the server clock is UTC");
    }

    @Override
    public long millis() {
      return serverMillis();
    }

    @Override
    public Instant instant() {
      return base.instant().plus(skew);
    }
  }
}
