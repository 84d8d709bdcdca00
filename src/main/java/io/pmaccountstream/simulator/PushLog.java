package io.pmaccountstream.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every frame the user-data stream endpoint pushed, and every stream connection with how it ended,
 * in order, for tests to account for each one (as {@link ServeLog} does for the REST answers).
 * Thread-safe; grows for the simulator's lifetime.
 */
public final class PushLog {

  /**
   * One frame handed to a connection's socket.
   *
   * @param sequence from 1, in the order pushed
   * @param connection the {@link StreamConnection#id()} it went to
   * @param eventType its {@code e}
   * @param eventTime its {@code E} (server clock, ms)
   * @param json the frame as sent (it carries no secret but a {@code listenKeyExpired}'s key)
   */
  public record PushedFrame(
      long sequence,
      String accountId,
      long connection,
      String eventType,
      long eventTime,
      String json) {}

  /**
   * One accepted WebSocket connection.
   *
   * @param closeReason empty while open; else one of {@link #CLOSED_BY_CLIENT}, {@link #MAX_AGE},
   *     {@link #DROPPED}, {@link #KEY_EXPIRED}, {@link #KEY_CLOSED}, {@link #SHUTDOWN}
   */
  public record StreamConnection(
      long id,
      String accountId,
      Instant openedAt,
      Optional<Instant> closedAt,
      Optional<String> closeReason) {

    public boolean isOpen() {
      return closedAt.isEmpty();
    }
  }

  public static final String CLOSED_BY_CLIENT = "client";
  public static final String MAX_AGE = "max-age";
  public static final String DROPPED = "dropped";
  public static final String KEY_EXPIRED = "key-expired";
  public static final String KEY_CLOSED = "key-closed";
  public static final String SHUTDOWN = "shutdown";

  private final List<PushedFrame> frames = new ArrayList<>();
  private final List<StreamConnection> connections = new ArrayList<>();

  synchronized void pushed(
      String accountId, long connection, String eventType, long eventTime, String json) {
    frames.add(
        new PushedFrame(frames.size() + 1L, accountId, connection, eventType, eventTime, json));
  }

  synchronized long opened(String accountId, Instant at) {
    long id = connections.size() + 1L;
    connections.add(new StreamConnection(id, accountId, at, Optional.empty(), Optional.empty()));
    return id;
  }

  /** Records how a connection ended; the first reason given wins. */
  synchronized void closed(long id, String reason, Instant at) {
    StreamConnection c = connections.get((int) id - 1);
    if (c.isOpen()) {
      connections.set(
          (int) id - 1,
          new StreamConnection(
              id, c.accountId(), c.openedAt(), Optional.of(at), Optional.of(reason)));
    }
  }

  public synchronized List<PushedFrame> frames() {
    return List.copyOf(frames);
  }

  public synchronized List<PushedFrame> frames(String accountId) {
    return frames.stream().filter(f -> f.accountId().equals(accountId)).toList();
  }

  public synchronized List<StreamConnection> connections() {
    return List.copyOf(connections);
  }

  public synchronized List<StreamConnection> connections(String accountId) {
    return connections.stream().filter(c -> c.accountId().equals(accountId)).toList();
  }
}
