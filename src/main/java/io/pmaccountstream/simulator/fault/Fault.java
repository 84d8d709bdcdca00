package io.pmaccountstream.simulator.fault;

/** The ways the simulator can fail an account request that would otherwise succeed. */
public enum Fault {
  /** The connection is closed abortively (TCP RST) without a response. */
  CONNECTION_RESET,
  /** {@code Content-Length} promises the whole body; half is sent, then the connection closes. */
  TRUNCATED_BODY,
  /** 500 with Binance's internal-error body ({@code -1001}). */
  SERVER_ERROR_500,
  /** 503 with Binance's "Unknown error" body ({@code -1000}); execution status unknown. */
  SERVER_ERROR_503,
  /** 200 with an HTML error page instead of JSON (a proxy or CDN in the way). */
  HTML_PAGE,
  /** A complete HTTP response whose JSON stops half-way. */
  TRUNCATED_JSON,
  /** One amount served as {@code ""}. */
  EMPTY_NUMBER,
  /** One amount served as text that is not a number. */
  NON_NUMERIC_NUMBER,
  /** An {@code accountStatus} Binance has not documented. */
  UNKNOWN_STATUS,
  /**
   * One answer of the hostile corpus (bad numbers, wrong types, bad headers, redirects, WAF blocks,
   * a slow drip...), picked in a seeded order: see {@code HostileCorpus}.
   */
  HOSTILE
}
