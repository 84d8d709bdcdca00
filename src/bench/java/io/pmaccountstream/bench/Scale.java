package io.pmaccountstream.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The counts and times of one run. {@link #full()} keeps the whole suite near 20 minutes on 2
 * cores; {@link #quick()} is a ~2-minute smoke run; {@link #times(double)} scales the heavy counts.
 */
record Scale(
    String name,
    long baselineRecords,
    long pipelineRecords,
    int accounts,
    int latencyChanges,
    int pollerAccounts,
    Duration pollerWindow,
    int jmhForks,
    int jmhWarmupIterations,
    int jmhMeasurementIterations,
    Duration jmhIterationTime) {

  static Scale full() {
    return new Scale(
        "full",
        1_000_000,
        1_000_000,
        200,
        1_000,
        1_000,
        Duration.ofSeconds(60),
        2,
        3,
        3,
        Duration.ofSeconds(1));
  }

  static Scale quick() {
    return new Scale(
        "quick",
        100_000,
        100_000,
        200,
        100,
        200,
        Duration.ofSeconds(10),
        1,
        1,
        2,
        Duration.ofSeconds(1));
  }

  /** The same run with record counts, changes, polled accounts and the poll window scaled. */
  Scale times(double factor) {
    if (factor == 1.0) {
      return this;
    }
    return new Scale(
        name + "×" + factor,
        Math.max(1_000, Math.round(baselineRecords * factor)),
        Math.max(1_000, Math.round(pipelineRecords * factor)),
        accounts,
        (int) Math.max(20, Math.round(latencyChanges * factor)),
        (int) Math.max(10, Math.round(pollerAccounts * factor)),
        Duration.ofMillis(Math.max(5_000, Math.round(pollerWindow.toMillis() * factor))),
        jmhForks,
        jmhWarmupIterations,
        jmhMeasurementIterations,
        jmhIterationTime);
  }

  Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scale", name);
    m.put("baselineRecords", baselineRecords);
    m.put("pipelineRecords", pipelineRecords);
    m.put("accounts", accounts);
    m.put("latencyChanges", latencyChanges);
    m.put("pollerAccounts", pollerAccounts);
    m.put("pollerWindow", pollerWindow.toString());
    m.put(
        "jmh",
        jmhForks
            + " fork(s) × ("
            + jmhWarmupIterations
            + " warm-up + "
            + jmhMeasurementIterations
            + " measured) × "
            + jmhIterationTime.toMillis()
            + " ms");
    return m;
  }
}
