package io.pmaccountstream.binance;

/** What went wrong with a fetch, and so what the caller should do about it. */
public enum FailureKind {
  /**
   * The response is not a valid account (not JSON, HTML, fields missing or not numbers, too big).
   */
  BAD_PAYLOAD,
  /**
   * Our configuration is wrong, or Binance refuses us: credentials (then {@code accountFailed}), IP
   * whitelist, a WAF limit (403), base URL (3xx, 404) or recvWindow. Retrying at once will not
   * help; the poller pauses the account on a capped backoff and resumes by itself.
   */
  FATAL_CONFIG,
  /** Over the IP's weight limit (429, -1003) or the local budget: wait, then try again. */
  RATE_LIMITED,
  /** Binance banned this IP (418): every request stops until the ban ends. */
  IP_BANNED,
  /** Transient errors (timeouts, connection errors, 5xx, -1001) outlasted the retry budget. */
  RETRIES_EXHAUSTED,
  /** Binance kept rejecting our timestamp (-1021) even after re-synchronising the clock. */
  CLOCK_SKEW,
  /**
   * Binance rejected the request itself (an unexpected 4xx or -11xx): likely our bug; paused and
   * retried like FATAL_CONFIG.
   */
  REJECTED,
  /** The calling thread was interrupted (shutdown); its interrupt flag is set again. */
  INTERRUPTED
}
