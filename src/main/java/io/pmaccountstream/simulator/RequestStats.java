package io.pmaccountstream.simulator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.simulator.fault.Fault;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the simulator's requests by endpoint and outcome (the HTTP status, or {@code reset} when
 * the connection was reset instead), and the faults injected, for tests and benchmarks; also as
 * Micrometer counters {@code pmas.simulator.requests} (tags {@code endpoint}, {@code outcome}) and
 * {@code pmas.simulator.faults} (tag {@code fault}).
 */
public final class RequestStats {

  /** Endpoints as counted. */
  public static final String ACCOUNT = "/papi/v1/account";

  public static final String PING = "/papi/v1/ping";
  public static final String TIME = "/fapi/v1/time";
  public static final String LISTEN_KEY = "/papi/v1/listenKey";
  public static final String OTHER = "other";

  private final MeterRegistry registry;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final LongAdder total = new LongAdder();
  private final Map<Fault, LongAdder> faults = new ConcurrentHashMap<>();

  RequestStats(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String endpoint, String outcome) {
    String key = endpoint + " " + outcome;
    total.increment();
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    counters
        .computeIfAbsent(
            key,
            k ->
                Counter.builder("pmas.simulator.requests")
                    .description("Requests the Binance PM simulator answered")
                    .tag("endpoint", endpoint)
                    .tag("outcome", outcome)
                    .register(registry))
        .increment();
  }

  void recordFault(Fault fault) {
    faults.computeIfAbsent(fault, f -> new LongAdder()).increment();
    Counter.builder("pmas.simulator.faults")
        .description("Faults the Binance PM simulator injected")
        .tag("fault", fault.name().toLowerCase(java.util.Locale.ROOT))
        .register(registry)
        .increment();
  }

  /** Every request, whatever its endpoint and outcome. */
  public long total() {
    return total.sum();
  }

  /** Requests to an endpoint ({@link #ACCOUNT}, {@link #TIME}, {@link #PING}, {@link #OTHER}). */
  public long count(String endpoint) {
    return counts.entrySet().stream()
        .filter(e -> e.getKey().startsWith(endpoint + " "))
        .mapToLong(e -> e.getValue().sum())
        .sum();
  }

  /** Requests to an endpoint answered with an HTTP status. */
  public long count(String endpoint, int status) {
    return sum(endpoint + " " + status);
  }

  /** Account requests answered with this fault. */
  public long count(Fault fault) {
    LongAdder adder = faults.get(fault);
    return adder == null ? 0 : adder.sum();
  }

  /** Account requests answered with any fault. */
  public long faults() {
    return faults.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Every count, keyed "endpoint outcome" ({@code "/papi/v1/account 200"}). */
  public Map<String, Long> snapshot() {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  private long sum(String key) {
    LongAdder adder = counts.get(key);
    return adder == null ? 0 : adder.sum();
  }
}
