package io.pmaccountstream.binance;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** One HTTP request and what came back: a response, or an I/O error instead. */
sealed interface Exchange {

  /** Local time the request was sent. */
  Instant sentAt();

  /** Local time the response (or the error) arrived. */
  Instant receivedAt();

  default Duration latency() {
    return Duration.between(sentAt(), receivedAt());
  }

  /**
   * An HTTP response.
   *
   * @param headers the first value of each header, by case-insensitive name
   * @param body at most {@code binance.max.body.bytes} of it
   * @param truncated the body was longer than that, and was cut
   */
  record Response(
      int status,
      Map<String, String> headers,
      byte[] body,
      boolean truncated,
      Instant sentAt,
      Instant receivedAt)
      implements Exchange {

    /** The first value of header {@code name}; what it may hold is {@link HeaderPolicy}'s. */
    Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name));
    }
  }

  /** No HTTP response: connection refused or reset, timeout, TLS failure. */
  record TransportError(IOException error, Instant sentAt, Instant receivedAt)
      implements Exchange {}
}
