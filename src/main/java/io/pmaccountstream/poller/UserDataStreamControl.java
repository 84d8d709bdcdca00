package io.pmaccountstream.poller;

import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.userdata.UserDataListener;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * Starts and stops the user-data streams of the accounts this instance polls: the seam where the
 * stream client ({@code binance.userdata}) plugs into the poller. The poller starts the streams of
 * its accounts (all of them, or those the group assigns), stops them on revocation and shutdown,
 * and shows their health in {@code /health} and {@code /metrics}.
 */
public interface UserDataStreamControl {

  /** Opens the accounts' streams (listen key, WebSocket); events go to the listener. */
  void start(Collection<AccountCredentials> accounts, UserDataListener listener);

  /** Closes the accounts' streams (and deletes their listen keys), within the timeout. */
  void stop(Collection<String> accountIds, Duration timeout);

  /** Each started account's stream now. */
  Map<String, StreamHealth> health();

  /** Stops every stream. */
  void close(Duration timeout);

  /**
   * One account's stream.
   *
   * @param connected whether its WebSocket is open now
   * @param detail for people: since when, reconnects, the last error
   */
  record StreamHealth(boolean connected, String detail) {}

  /** The poller without user-data streams: polling only. */
  UserDataStreamControl NONE =
      new UserDataStreamControl() {
        @Override
        public void start(Collection<AccountCredentials> accounts, UserDataListener listener) {}

        @Override
        public void stop(Collection<String> accountIds, Duration timeout) {}

        @Override
        public Map<String, StreamHealth> health() {
          return Map.of();
        }

        @Override
        public void close(Duration timeout) {}
      };
}
