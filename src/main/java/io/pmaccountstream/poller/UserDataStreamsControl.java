package io.pmaccountstream.poller;

import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.userdata.UserDataListener;
import io.pmaccountstream.binance.userdata.UserDataStreams;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The poller's seam filled by the stream client: {@link UserDataStreams} opening and closing the
 * streams of the accounts this instance polls ({@code binance.user.stream.enabled}).
 */
final class UserDataStreamsControl implements UserDataStreamControl {

  private final UserDataStreams streams;

  UserDataStreamsControl(UserDataStreams streams) {
    this.streams = streams;
  }

  @Override
  public void start(Collection<AccountCredentials> accounts, UserDataListener listener) {
    streams.start(accounts, listener);
  }

  @Override
  public void stop(Collection<String> accountIds, Duration timeout) {
    // each close waits at most 2 s for the close handshake, then deletes the key
    streams.stop(accountIds);
  }

  @Override
  public Map<String, StreamHealth> health() {
    Map<String, StreamHealth> health = new LinkedHashMap<>();
    streams.health().forEach((account, stream) -> health.put(account, of(stream)));
    return health;
  }

  @Override
  public void close(Duration timeout) {
    streams.close();
  }

  private static StreamHealth of(io.pmaccountstream.binance.userdata.StreamHealth stream) {
    StringBuilder detail = new StringBuilder(stream.connected() ? "connected" : "not connected");
    stream.connectedSince().ifPresent(at -> detail.append(" since ").append(at));
    stream.lastEventAt().ifPresent(at -> detail.append(", last event ").append(at));
    detail.append(", reconnects ").append(stream.reconnects());
    stream.lastReconnectReason().ifPresent(r -> detail.append(" (last: ").append(r).append(')'));
    return new StreamHealth(stream.connected(), detail.toString());
  }
}
