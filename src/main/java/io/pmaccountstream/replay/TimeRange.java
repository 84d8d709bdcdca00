package io.pmaccountstream.replay;

import java.time.Instant;
import java.util.Objects;

/**
 * A half-open time range {@code [from, to)} of record timestamps (the snapshots' {@code
 * observedAt}).
 */
public record TimeRange(Instant from, Instant to) {

  public TimeRange {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException(
          "the range is empty: --from " + from + " must be before --to " + to);
    }
  }

  @Override
  public String toString() {
    return "[" + from + ", " + to + ")";
  }
}
