package io.pmaccountstream.bench;

import java.util.Arrays;

/** Latency samples in microseconds and their exact percentiles (nearest rank). */
final class Latencies {

  private long[] micros = new long[1024];
  private int size;

  synchronized void add(long sampleMicros) {
    if (size == micros.length) {
      micros = Arrays.copyOf(micros, size * 2);
    }
    micros[size++] = sampleMicros;
  }

  synchronized int count() {
    return size;
  }

  /** The {@code p}-th percentile (0 < p ≤ 100) in milliseconds; NaN without samples. */
  synchronized double percentileMillis(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(micros, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1000.0;
  }

  synchronized double maxMillis() {
    return percentileMillis(100);
  }
}
