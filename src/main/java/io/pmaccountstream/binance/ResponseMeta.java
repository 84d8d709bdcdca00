package io.pmaccountstream.binance;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How a successful fetch went.
 *
 * @param receivedAt when the response arrived, on the server clock (local time plus the estimated
 *     offset)
 * @param latency of the successful attempt, request sent to response read
 * @param usedWeight1m Binance's {@code X-MBX-USED-WEIGHT-1M} for this IP, if sent
 * @param attempts HTTP requests this fetch sent, the successful one included
 */
public record ResponseMeta(
    Instant receivedAt, Duration latency, OptionalInt usedWeight1m, int attempts) {

  public ResponseMeta {
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(usedWeight1m, "usedWeight1m");
  }
}
