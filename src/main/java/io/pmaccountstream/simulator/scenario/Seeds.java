package io.pmaccountstream.simulator.scenario;

/**
 * Derives independent, reproducible seeds from the simulator's seed, so that every account, walk
 * and request gets its own random stream whatever order threads reach them in.
 */
public final class Seeds {

  private Seeds() {}

  public static long mix(long seed, Object... parts) {
    long h = splitMix(seed);
    for (Object part : parts) {
      long value = part instanceof Number n ? n.longValue() : String.valueOf(part).hashCode();
      h = splitMix(h ^ splitMix(value + 0x632BE59BD9B4E019L));
    }
    return h;
  }

  private static long splitMix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
