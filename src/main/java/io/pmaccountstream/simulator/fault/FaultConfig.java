package io.pmaccountstream.simulator.fault;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Which faults to inject and how often: each rate is the share of account requests (that would
 * otherwise succeed) failing that way; the rates add up to at most 1. {@code serverErrorRate}
 * splits evenly between 500 and 503.
 *
 * @param hostileDrip how long the hostile corpus's slow-drip answer takes to deliver its body
 */
public record FaultConfig(Map<Fault, Double> rates, LatencyModel latency, Duration hostileDrip) {

  /** The hostile slow drip's default: three times the poller's default response timeout. */
  public static final Duration DEFAULT_HOSTILE_DRIP = Duration.ofSeconds(30);

  public FaultConfig(Map<Fault, Double> rates, LatencyModel latency) {
    this(rates, latency, DEFAULT_HOSTILE_DRIP);
  }

  public FaultConfig {
    if (hostileDrip.isNegative() || hostileDrip.isZero()) {
      throw new IllegalArgumentException("the hostile drip must be positive");
    }
    Map<Fault, Double> nonZero = new EnumMap<>(Fault.class);
    rates.forEach(
        (fault, rate) -> {
          if (rate != 0) {
            nonZero.put(fault, rate);
          }
        });
    rates = Map.copyOf(nonZero);
    double total = 0;
    for (Map.Entry<Fault, Double> rate : rates.entrySet()) {
      if (rate.getValue() < 0 || rate.getValue() > 1) {
        throw new IllegalArgumentException(rate.getKey() + " rate must be between 0 and 1");
      }
      total += rate.getValue();
    }
    if (total > 1 + 1e-9) {
      throw new IllegalArgumentException("fault rates add up to " + total + ", more than 1");
    }
  }

  public static FaultConfig none() {
    return new FaultConfig(Map.of(), LatencyModel.none());
  }

  public double rate(Fault fault) {
    return rates.getOrDefault(fault, 0.0);
  }

  public FaultConfig withRate(Fault fault, double rate) {
    Map<Fault, Double> copy = new EnumMap<>(Fault.class);
    copy.putAll(rates);
    copy.put(fault, rate);
    return new FaultConfig(copy, latency, hostileDrip);
  }

  /** Answers from the hostile corpus, a share {@code rate} of account requests. */
  public FaultConfig withHostileRate(double rate) {
    return withRate(Fault.HOSTILE, rate);
  }

  public FaultConfig withHostileDrip(Duration value) {
    return new FaultConfig(rates, latency, value);
  }

  /** 500 and 503 answers, half each. */
  public FaultConfig withServerErrorRate(double rate) {
    return withRate(Fault.SERVER_ERROR_500, rate / 2).withRate(Fault.SERVER_ERROR_503, rate / 2);
  }

  public FaultConfig withLatency(LatencyModel value) {
    return new FaultConfig(rates, value, hostileDrip);
  }
}
