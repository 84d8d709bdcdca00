package io.pmaccountstream.binance;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binance's clock as seen from here: the local clock plus an estimated offset, shared by every
 * account (one server, one offset). Signed requests carry {@link #now()} as their timestamp.
 *
 * <p>Two kinds of evidence keep the offset fresh:
 *
 * <ul>
 *   <li>The HTTP {@code Date} header of every response (1 s resolution). The server wrote it
 *       between our send and receive, so the true offset lies in {@code [date - received, date +
 *       999ms - sent]}. While the estimate lies inside, nothing changes; outside, it moves to the
 *       interval's low end, which never puts our timestamp ahead of the server's clock (Binance
 *       rejects more than 1000 ms ahead, but accepts up to recvWindow behind).
 *   <li>A time endpoint ({@code {"serverTime": ms}}), precise to half the round trip, clamped into
 *       the latest Date interval when one is recent (the endpoint lives on another host, whose
 *       clock being Binance PAPI's is unconfirmed).
 * </ul>
 *
 * <p>After a {@code -1021} the estimate drops to the low end of the latest Date interval. Thread
 * safe.
 */
public final class ServerClock {

  private static final Logger LOG = LoggerFactory.getLogger(ServerClock.class);
  private static final Duration DATE_EVIDENCE_FRESH_FOR = Duration.ofMinutes(1);
  private static final long DATE_RESOLUTION_MILLIS = 999;

  private final Clock local;
  private long offsetMillis;
  private DateInterval lastDate;
  private Instant lastPreciseSync;

  /** The offset interval one Date header proves, and when we saw it (local time). */
  private record DateInterval(long lowMillis, long highMillis, Instant seenAt) {}

  public ServerClock(Clock local, MeterRegistry registry) {
    this.local = local;
    Gauge.builder("pmas.binance.clock.offset", this, c -> c.offset().toMillis())
        .description("Estimated Binance server clock minus the local clock")
        .baseUnit("milliseconds")
        .register(registry);
  }

  /** Now on Binance's clock, as far as we know. */
  public Instant now() {
    return toServerTime(local.instant());
  }

  /** A local instant on Binance's clock. */
  public synchronized Instant toServerTime(Instant localInstant) {
    return localInstant.plusMillis(offsetMillis);
  }

  /** The estimated server clock minus the local clock. */
  public synchronized Duration offset() {
    return Duration.ofMillis(offsetMillis);
  }

  /** When the time endpoint last answered, if ever. */
  public synchronized Optional<Instant> lastPreciseSync() {
    return Optional.ofNullable(lastPreciseSync);
  }

  /**
   * Evidence from a response's {@code Date} header.
   *
   * @param serverDate the header's value
   * @param sentAt local time the request was sent
   * @param receivedAt local time the response arrived
   */
  public synchronized void observeDate(Instant serverDate, Instant sentAt, Instant receivedAt) {
    long date = serverDate.toEpochMilli();
    long low = date - receivedAt.toEpochMilli();
    long high = date + DATE_RESOLUTION_MILLIS - sentAt.toEpochMilli();
    lastDate = new DateInterval(low, high, receivedAt);
    if (offsetMillis < low || offsetMillis > high) {
      move(low, "a Date header proves the offset lies in [" + low + ", " + high + "] ms");
    }
  }

  /**
   * Evidence from the time endpoint.
   *
   * @param serverTime its {@code serverTime}
   * @param sentAt local time the request was sent
   * @param receivedAt local time the response arrived
   */
  public synchronized void observeServerTime(
      Instant serverTime, Instant sentAt, Instant receivedAt) {
    long midpoint = (sentAt.toEpochMilli() + receivedAt.toEpochMilli()) / 2;
    long estimate = serverTime.toEpochMilli() - midpoint;
    if (lastDate != null
        && Duration.between(lastDate.seenAt(), receivedAt).compareTo(DATE_EVIDENCE_FRESH_FOR)
            <= 0) {
      estimate = Math.max(lastDate.lowMillis(), Math.min(lastDate.highMillis(), estimate));
    }
    lastPreciseSync = receivedAt;
    if (estimate != offsetMillis) {
      move(estimate, "the time endpoint says so");
    }
  }

  /**
   * Binance rejected a timestamp ({@code -1021}): fall back to the safest offset the latest Date
   * header allows. The caller re-measures at the time endpoint, if configured, and retries.
   */
  public synchronized void timestampRejected() {
    if (lastDate != null && offsetMillis != lastDate.lowMillis()) {
      move(lastDate.lowMillis(), "Binance rejected our timestamp (-1021)");
    }
  }

  private void move(long newOffset, String why) {
    if (Math.abs(newOffset - offsetMillis) >= 500) {
      LOG.info("Server clock offset {} ms -> {} ms: {}", offsetMillis, newOffset, why);
    } else {
      LOG.debug("Server clock offset {} ms -> {} ms: {}", offsetMillis, newOffset, why);
    }
    offsetMillis = newOffset;
  }
}
