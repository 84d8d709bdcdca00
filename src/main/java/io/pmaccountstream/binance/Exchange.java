package io.pmaccountstream.binance;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

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

    Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name));
    }

    /** The {@code Date} header, if present and valid. */
    Optional<Instant> date() {
      return header("Date").flatMap(Response::parseHttpDate);
    }

    /** {@code X-MBX-USED-WEIGHT-1M}: this IP's weight in the current minute. */
    OptionalInt usedWeight1m() {
      Optional<String> value = header("X-MBX-USED-WEIGHT-1M");
      if (value.isEmpty() || !value.get().strip().matches("\\d{1,9}")) {
        return OptionalInt.empty();
      }
      return OptionalInt.of(Integer.parseInt(value.get().strip()));
    }

    /** {@code Retry-After} as seconds or as an HTTP date (relative to the Date header). */
    Optional<Duration> retryAfter() {
      Optional<String> value = header("Retry-After").map(String::strip);
      if (value.isEmpty()) {
        return Optional.empty();
      }
      if (value.get().matches("\\d{1,9}")) {
        return Optional.of(Duration.ofSeconds(Long.parseLong(value.get())));
      }
      Optional<Instant> at = parseHttpDate(value.get());
      Optional<Instant> date = date();
      if (at.isPresent() && date.isPresent()) {
        Duration wait = Duration.between(date.get(), at.get());
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      }
      return Optional.empty();
    }

    private static Optional<Instant> parseHttpDate(String value) {
      try {
        return Optional.of(
            ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeException e) {
        return Optional.empty();
      }
    }
  }

  /** No HTTP response: connection refused or reset, timeout, TLS failure. */
  record TransportError(IOException error, Instant sentAt, Instant receivedAt)
      implements Exchange {}
}
