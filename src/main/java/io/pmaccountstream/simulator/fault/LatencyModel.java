package io.pmaccountstream.simulator.fault;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long the simulator waits before answering an account request.
 *
 * @param base the fixed part ({@code FIXED}) or the median ({@code LOGNORMAL})
 * @param jitter {@code FIXED}: a uniform extra in [0, jitter)
 * @param sigma {@code LOGNORMAL}: the standard deviation of the latency's logarithm
 */
public record LatencyModel(
    Distribution distribution, Duration base, Duration jitter, double sigma) {

  /** The shape of the latency distribution. */
  public enum Distribution {
    FIXED,
    LOGNORMAL
  }

  /** Latencies are capped, so a heavy tail cannot stall a connection for minutes. */
  public static final Duration MAX = Duration.ofSeconds(60);

  public static LatencyModel none() {
    return fixed(Duration.ZERO, Duration.ZERO);
  }

  public static LatencyModel fixed(Duration base, Duration jitter) {
    return new LatencyModel(Distribution.FIXED, base, jitter, 0);
  }

  public static LatencyModel lognormal(Duration median, double sigma) {
    return new LatencyModel(Distribution.LOGNORMAL, median, Duration.ZERO, sigma);
  }

  public LatencyModel {
    if (base.isNegative() || jitter.isNegative() || sigma < 0) {
      throw new IllegalArgumentException("latency, jitter and sigma must not be negative");
    }
  }

  public boolean isNone() {
    return distribution == Distribution.FIXED && base.isZero() && jitter.isZero();
  }

  public Duration sample(RandomGenerator random) {
    long micros =
        switch (distribution) {
          case FIXED ->
              base.toNanos() / 1_000
                  + (jitter.isZero() ? 0 : random.nextLong(jitter.toNanos() / 1_000 + 1));
          case LOGNORMAL ->
              Math.round(base.toNanos() / 1_000.0 * Math.exp(sigma * random.nextGaussian()));
        };
    Duration latency = Duration.ofNanos(micros * 1_000);
    return latency.compareTo(MAX) > 0 ? MAX : latency;
  }
}
