package io.pmaccountstream.simulator.fault;

import io.pmaccountstream.simulator.scenario.Seeds;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides each account request's latency and fault. The n-th request of an account gets the same
 * decision for the same seed, however the requests of different accounts interleave.
 */
public final class FaultPlan {

  /**
   * @param detail a further random draw for the fault's details (which field to corrupt)
   */
  public record Decision(Optional<Fault> fault, Duration latency, long detail) {}

  private final FaultConfig config;
  private final long seed;
  private final Map<String, AtomicLong> requestCounts = new ConcurrentHashMap<>();

  public FaultPlan(FaultConfig config, long seed) {
    this.config = config;
    this.seed = seed;
  }

  public FaultConfig config() {
    return config;
  }

  public Decision decide(String accountId) {
    long n = requestCounts.computeIfAbsent(accountId, k -> new AtomicLong()).getAndIncrement();
    SplittableRandom random = new SplittableRandom(Seeds.mix(seed, "fault", accountId, n));
    double draw = random.nextDouble();
    Duration latency = config.latency().isNone() ? Duration.ZERO : config.latency().sample(random);
    return new Decision(pick(draw), latency, random.nextLong());
  }

  private Optional<Fault> pick(double draw) {
    double cumulative = 0;
    for (Fault fault : Fault.values()) {
      cumulative += config.rate(fault);
      if (draw < cumulative) {
        return Optional.of(fault);
      }
    }
    return Optional.empty();
  }
}
