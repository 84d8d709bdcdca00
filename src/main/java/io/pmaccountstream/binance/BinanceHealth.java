package io.pmaccountstream.binance;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the ops readiness check needs to know about Binance access from this IP.
 *
 * @param ipBannedUntil while Binance bans this IP (418), when the ban ends
 * @param rateLimitedUntil while requests pause after a 429, when the pause ends
 * @param usedWeight1m weight counted in the current minute
 * @param allowedWeight1m weight this process may use in the current minute
 * @param clockOffset estimated Binance clock minus the local clock
 * @param lastClockSync when the time endpoint last answered, if ever
 */
public record BinanceHealth(
    Optional<Instant> ipBannedUntil,
    Optional<Instant> rateLimitedUntil,
    int usedWeight1m,
    int allowedWeight1m,
    Duration clockOffset,
    Optional<Instant> lastClockSync) {

  /** False while the IP is banned: no request can be sent. */
  public boolean ready() {
    return ipBannedUntil.isEmpty();
  }
}
