package io.pmaccountstream.poller;

import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.FetchOutcome;

/** One call of the account endpoint; {@code BinanceAccountClient::fetchAccount} in production. */
@FunctionalInterface
public interface AccountFetcher {
  FetchOutcome fetch(AccountCredentials account);
}
