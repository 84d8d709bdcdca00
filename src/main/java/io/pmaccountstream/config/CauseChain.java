package io.pmaccountstream.config;

import java.util.Optional;

/**
 * The one walk down an exception's cause chain, used wherever a failure is classified by what
 * caused it (a schema registry failure behind a {@code SerializationException} behind a {@code
 * StreamsException}, a JVM {@link Error} behind a crashed stream thread) or reported by its root (a
 * health check, a user-data stream's connection failure). Stops at a cause that is its own cause
 * and after {@value #MAX_DEPTH} links, so a cyclic chain cannot loop. Plain Java in {@code config},
 * the package every layer may import, so that no layer keeps a walk of its own.
 */
public final class CauseChain {

  /** Links followed at most. */
  static final int MAX_DEPTH = 64;

  private CauseChain() {}

  /** The first throwable of {@code type} in the chain of {@code thrown}, itself included. */
  public static <T extends Throwable> Optional<T> find(Throwable thrown, Class<T> type) {
    Throwable t = thrown;
    for (int depth = 0; t != null && depth < MAX_DEPTH; depth++) {
      if (type.isInstance(t)) {
        return Optional.of(type.cast(t));
      }
      t = t.getCause() == t ? null : t.getCause();
    }
    return Optional.empty();
  }

  /** The deepest cause of {@code thrown} (itself when it has none): what went wrong first. */
  public static Throwable root(Throwable thrown) {
    Throwable t = thrown;
    for (int depth = 0; depth < MAX_DEPTH && t.getCause() != null && t.getCause() != t; depth++) {
      t = t.getCause();
    }
    return t;
  }
}
