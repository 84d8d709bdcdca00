package io.pmaccountstream.binance;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binance's clock as seen from here: the local clock plus an estimated offset, shared by every
 * account (one server, one offset). Signed requests carry {@link #now()} as their timestamp.
 *
 * <p>No single header can move the offset far. The evidence:
 *
 * <ul>
 *   <li>The HTTP {@code Date} header of every response (1 s resolution). The server wrote it
 *       between our send and receive, so the true offset lies in {@code [date - received, date +
 *       999ms - sent]}: an interval as wide as the round trip plus a second. The last {@value
 *       #WINDOW} such intervals are kept; the offset moves only when at least {@value #QUORUM} of
 *       them agree (intersect, Marzullo's algorithm) on an interval that excludes it, and then to
 *       the low end of that agreement, which never puts our timestamp ahead of the server's clock
 *       (Binance rejects more than 1000 ms ahead, but accepts up to recvWindow behind). A lone
 *       outlier (a 1960 or a year-2100 Date) is outvoted and ages out of the window.
 *   <li>A time endpoint ({@code {"serverTime": ms}}), precise to the round trip, clamped into the
 *       Date headers' agreement when there is one (the endpoint lives on another host, whose clock
 *       being Binance PAPI's is unconfirmed).
 *   <li>A {@code -1021}: Binance itself says the offset is wrong. Only then does the latest Date
 *       interval alone decide (its low end), so that a skewed clock is corrected after one
 *       rejection; if that Date lied, the next request is rejected too and the next Date corrects
 *       it again.
 * </ul>
 *
 * <p>Evidence implying an offset beyond {@code binance.clock.max.offset} is ignored as implausible
 * and counted ({@code pmas.binance.clock.samples.rejected}). Every correction is automatic. Thread
 * safe.
 */
public final class ServerClock {

  private static final Logger LOG = LoggerFactory.getLogger(ServerClock.class);
  static final int WINDOW = 5;
  static final int QUORUM = 3;
  private static final Duration SAMPLE_MAX_AGE = Duration.ofMinutes(10);
  private static final long DATE_RESOLUTION_MILLIS = 999;
  static final Duration DEFAULT_MAX_OFFSET = Duration.ofHours(1);

  private final Clock local;
  private final long maxOffsetMillis;
  private final Counter implausible;
  private final Deque<Interval> dates = new ArrayDeque<>();
  private long offsetMillis;
  private Instant lastPreciseSync;

  /** Offsets (ms) one piece of evidence allows, and when we saw it (local time). */
  record Interval(long lowMillis, long highMillis, Instant seenAt) {
    boolean contains(long offset) {
      return offset >= lowMillis && offset <= highMillis;
    }
  }

  /** The interval {@code count} samples agree on. */
  record Agreement(int count, long lowMillis, long highMillis) {}

  public ServerClock(Clock local, MeterRegistry registry) {
    this(local, registry, DEFAULT_MAX_OFFSET);
  }

  public ServerClock(Clock local, MeterRegistry registry, Duration maxOffset) {
    this.local = local;
    this.maxOffsetMillis = maxOffset.toMillis();
    this.implausible =
        Counter.builder("pmas.binance.clock.samples.rejected")
            .tag("reason", "implausible")
            .description(
                "Date headers and time-endpoint answers ignored because they imply an offset"
                    + " beyond binance.clock.max.offset")
            .register(registry);
    Gauge.builder("pmas.binance.clock.offset", this, c -> c.offset().toMillis())
        .description("Estimated Binance server clock minus the local clock")
        .baseUnit("milliseconds")
        .register(registry);
  }

  /** Now on Binance's clock, as far as we know. */
  public Instant now() {
    return toServerTime(local.instant());
  }

  /** Now on the local clock (durations such as Retry-After run on it). */
  Instant localNow() {
    return local.instant();
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
    Interval sample =
        new Interval(
            date - receivedAt.toEpochMilli(),
            date + DATE_RESOLUTION_MILLIS - sentAt.toEpochMilli(),
            receivedAt);
    if (!plausible(sample, "a Date header")) {
      return;
    }
    dates.addLast(sample);
    while (dates.size() > WINDOW
        || dates.peekFirst().seenAt().isBefore(receivedAt.minus(SAMPLE_MAX_AGE))) {
      dates.removeFirst();
    }
    Optional<Agreement> agreed = agreement();
    if (agreed.isPresent()
        && (offsetMillis < agreed.get().lowMillis() || offsetMillis > agreed.get().highMillis())) {
      move(
          agreed.get().lowMillis(),
          agreed.get().count()
              + " Date headers agree the offset lies in ["
              + agreed.get().lowMillis()
              + ", "
              + agreed.get().highMillis()
              + "] ms");
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
    long time = serverTime.toEpochMilli();
    Interval sample =
        new Interval(time - receivedAt.toEpochMilli(), time - sentAt.toEpochMilli(), receivedAt);
    if (!plausible(sample, "the time endpoint")) {
      return;
    }
    long estimate = time - (sentAt.toEpochMilli() + receivedAt.toEpochMilli()) / 2;
    Optional<Agreement> agreed = agreement();
    if (agreed.isPresent()) {
      estimate = Math.max(agreed.get().lowMillis(), Math.min(agreed.get().highMillis(), estimate));
    }
    lastPreciseSync = receivedAt;
    if (estimate != offsetMillis) {
      move(estimate, "the time endpoint says so");
    }
  }

  /**
   * Binance rejected a timestamp ({@code -1021}): the offset is wrong, so the latest Date header
   * (normally that of the rejection itself) decides alone: its safe low end. The caller re-measures
   * at the time endpoint, if configured, and retries.
   */
  public synchronized void timestampRejected() {
    Interval latest = dates.peekLast();
    if (latest != null && offsetMillis != latest.lowMillis()) {
      move(latest.lowMillis(), "Binance rejected our timestamp (-1021)");
    }
  }

  /** The interval most recent Date samples agree on, if at least {@value #QUORUM} do. */
  synchronized Optional<Agreement> agreement() {
    return marzullo(new ArrayList<>(dates)).filter(a -> a.count() >= QUORUM);
  }

  /**
   * Marzullo's algorithm: the interval that the largest number of {@code intervals} share (the
   * first such, lowest).
   */
  static Optional<Agreement> marzullo(List<Interval> intervals) {
    if (intervals.isEmpty()) {
      return Optional.empty();
    }
    List<long[]> edges = new ArrayList<>();
    for (Interval interval : intervals) {
      edges.add(new long[] {interval.lowMillis(), -1});
      edges.add(new long[] {interval.highMillis(), +1});
    }
    // At equal values a start comes before an end: closed intervals that touch do intersect.
    edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int best = 0;
    int open = 0;
    long bestLow = 0;
    long bestHigh = 0;
    for (int i = 0; i < edges.size(); i++) {
      open -= (int) edges.get(i)[1];
      if (open > best) {
        best = open;
        bestLow = edges.get(i)[0];
        bestHigh = edges.get(i + 1)[0];
      }
    }
    return Optional.of(new Agreement(best, bestLow, bestHigh));
  }

  private boolean plausible(Interval sample, String source) {
    boolean plausible =
        sample.highMillis() >= -maxOffsetMillis && sample.lowMillis() <= maxOffsetMillis;
    if (!plausible) {
      implausible.increment();
      LOG.warn(
          "Ignored {}: it implies a server clock offset of [{}, {}] ms, beyond"
              + " binance.clock.max.offset ({} ms)",
          source,
          sample.lowMillis(),
          sample.highMillis(),
          maxOffsetMillis);
    }
    return plausible;
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
