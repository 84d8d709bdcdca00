package io.pmaccountstream.poller;

import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.FetchOutcome;
import io.pmaccountstream.binance.WeightBudget.Priority;

/** One call of the account endpoint; {@code BinanceAccountClient::fetchAccount} in production. */
@FunctionalInterface
public interface AccountFetcher {
  /**
   * @param priority its place in the weight budget: {@link Priority#URGENT} for a poll a push asked
   *     for
   */
  FetchOutcome fetch(AccountCredentials account, Priority priority);
}
