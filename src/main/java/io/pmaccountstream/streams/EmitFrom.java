package io.pmaccountstream.streams;

import io.pmaccountstream.avro.AccountSnapshot;
import java.time.Instant;
import java.util.Objects;

/**
 * Which snapshots emit their events: those observed at or after {@link #from()}. The others are
 * still folded into the account's state (a warm-up), so the first event emitted after them is the
 * one the whole history implies, but they emit nothing: no transition, no level event, no latest
 * snapshot.
 *
 * @param from the first observedAt that emits; {@link Instant#MIN} emits everything
 */
public record EmitFrom(Instant from) {

  private static final EmitFrom ALL = new EmitFrom(Instant.MIN);

  public EmitFrom {
    Objects.requireNonNull(from, "from");
  }

  /** Every snapshot emits ({@code derive.emit.from=all}). */
  public static EmitFrom all() {
    return ALL;
  }

  /** Snapshots observed at or after {@code from} emit. */
  public static EmitFrom since(Instant from) {
    return new EmitFrom(from);
  }

  /** Whether this snapshot's events are emitted; a record without a value is never held back. */
  public boolean emits(AccountSnapshot snapshot) {
    return snapshot == null || !snapshot.getObservedAt().isBefore(from);
  }

  @Override
  public String toString() {
    return from.equals(Instant.MIN) ? "all" : "observedAt >= " + from;
  }
}
