package io.pmaccountstream.binance.userdata;

import java.time.Instant;
import java.util.Optional;

/**
 * One account's user-data stream as the health endpoint shows it.
 *
 * @param connected a WebSocket connection is open now
 * @param connectedSince when the open connection was established
 * @param lastFrameAt the last frame of any kind (event, pong, ping) on any connection
 * @param lastEventAt the last well-formed event
 * @param reconnects reconnects so far (drops, errors, proactive, key changes)
 * @param lastReconnectReason why the stream last reconnected, or why it is down now
 */
public record StreamHealth(
    boolean connected,
    Optional<Instant> connectedSince,
    Optional<Instant> lastFrameAt,
    Optional<Instant> lastEventAt,
    long reconnects,
    Optional<String> lastReconnectReason) {}
