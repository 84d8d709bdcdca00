package io.pmaccountstream.binance;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link ServerClock} measured at the time endpoint: before the first request, every
 * {@code binance.clock.resync.interval}, and at once after a {@code -1021}. Only one thread
 * measures at a time; the others go on with the current estimate. The endpoint lives on another
 * host and budget (fapi), so its weight is not counted against PAPI's.
 */
final class ClockSync {

  private static final Logger LOG = LoggerFactory.getLogger(ClockSync.class);
  private static final Duration RETRY_FAILED_SYNC_AFTER = Duration.ofMinutes(1);

  private final ServerClock serverClock;
  private final HttpTransport transport;
  private final Optional<URI> timeUrl;
  private final Duration interval;
  private final Clock local;
  private final Counter syncs;
  private final Counter failures;
  private final ReentrantLock measuring = new ReentrantLock();
  private volatile Instant nextDue = Instant.MIN;

  ClockSync(
      ServerClock serverClock,
      HttpTransport transport,
      Optional<URI> timeUrl,
      Duration interval,
      Clock local,
      MeterRegistry registry) {
    this.serverClock = serverClock;
    this.transport = transport;
    this.timeUrl = timeUrl;
    this.interval = interval;
    this.local = local;
    this.syncs =
        Counter.builder("pmas.binance.clock.syncs")
            .tag("result", "ok")
            .description("Server-clock measurements at binance.time.url")
            .register(registry);
    this.failures =
        Counter.builder("pmas.binance.clock.syncs")
            .tag("result", "failed")
            .description("Server-clock measurements at binance.time.url")
            .register(registry);
  }

  /** Measures if due and no other thread is measuring already. */
  void refreshIfDue() {
    if (timeUrl.isEmpty() || local.instant().isBefore(nextDue) || !measuring.tryLock()) {
      return;
    }
    try {
      if (!local.instant().isBefore(nextDue)) {
        measure(timeUrl.get());
      }
    } finally {
      measuring.unlock();
    }
  }

  /** After {@code -1021}: the safest offset the Date headers allow, then a fresh measurement. */
  void resyncAfterRejection() {
    serverClock.timestampRejected();
    if (timeUrl.isEmpty()) {
      return;
    }
    Instant rejectedAt = local.instant();
    measuring.lock();
    try {
      boolean measuredMeanwhile =
          serverClock.lastPreciseSync().filter(last -> !last.isBefore(rejectedAt)).isPresent();
      if (!measuredMeanwhile) {
        measure(timeUrl.get());
      }
    } finally {
      measuring.unlock();
    }
  }

  private void measure(URI url) {
    Exchange exchange = transport.get(url, Map.of());
    Optional<Instant> serverTime =
        exchange instanceof Exchange.Response response && response.status() == 200
            ? AccountInfoParser.parseServerTime(response.body())
            : Optional.empty();
    if (serverTime.isPresent()) {
      serverClock.observeServerTime(serverTime.get(), exchange.sentAt(), exchange.receivedAt());
      nextDue = exchange.receivedAt().plus(interval);
      syncs.increment();
      return;
    }
    failures.increment();
    nextDue = exchange.receivedAt().plus(min(interval, RETRY_FAILED_SYNC_AFTER));
    LOG.warn(
        "Could not read the server time at {} ({}); relying on Date headers until {}",
        url,
        describe(exchange),
        nextDue);
  }

  private static String describe(Exchange exchange) {
    if (exchange instanceof Exchange.Response response) {
      return response.status() == 200 ? "no serverTime in the answer" : "HTTP " + response.status();
    }
    return ((Exchange.TransportError) exchange).error().toString();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
