package io.pmaccountstream.binance;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binance's request-weight limit for this IP, shared by every account this process polls: Binance
 * counts weight per IP in fixed minutes of its own clock, so one budget serves all accounts.
 *
 * <p>Before each request {@link #await} reserves its weight, and never lets the minute's weight go
 * over {@code share x limit}. The minute's weight is the larger of our own reservations and the
 * {@code X-MBX-USED-WEIGHT-1M} Binance last reported for that minute (which also counts other
 * programs on the IP). A 429 pauses every request until its Retry-After (or the next minute) and
 * halves the share; each minute without a 429 doubles it back, up to the configured share. A 418 is
 * an IP ban: nothing is sent until its Retry-After has passed, and it is reported loudly (error
 * log, {@code pmas.binance.ip.banned} gauge, {@link #ipBannedUntil()} for the health check). Thread
 * safe.
 */
public final class WeightBudget {

  private static final Logger LOG = LoggerFactory.getLogger(WeightBudget.class);
  private static final long MINUTE_MILLIS = 60_000;
  private static final Duration DEFAULT_BAN = Duration.ofMinutes(2);
  private static final double MIN_SLOWDOWN = 0.125;

  private final int limitPerMinute;
  private final BigDecimal maxShare;
  private final ServerClock clock;
  private final Sleeper sleeper;
  private final Counter rateLimitedResponses;
  private final Counter bans;
  private final Counter waits;

  private long minute = Long.MIN_VALUE;
  private int used;
  private double slowdown = 1.0;
  private boolean rateLimitedThisMinute;
  private Instant pausedUntil = Instant.EPOCH;
  private Instant bannedUntil = Instant.EPOCH;

  /** Whether a request may go now, or why not and until when. */
  public sealed interface Admission {
    /** Send it; its weight is reserved. */
    record Granted() implements Admission {}

    /**
     * Do not send: {@code kind} is {@link FailureKind#IP_BANNED} or {@link
     * FailureKind#RATE_LIMITED}.
     */
    record Refused(FailureKind kind, Instant until, String reason) implements Admission {}
  }

  public WeightBudget(
      int limitPerMinute,
      BigDecimal maxShare,
      ServerClock clock,
      Sleeper sleeper,
      MeterRegistry registry) {
    this.limitPerMinute = limitPerMinute;
    this.maxShare = maxShare;
    this.clock = clock;
    this.sleeper = sleeper;
    this.rateLimitedResponses =
        Counter.builder("pmas.binance.rate.limited")
            .description("HTTP 429 answers from Binance")
            .register(registry);
    this.bans =
        Counter.builder("pmas.binance.ip.bans")
            .description("HTTP 418 answers from Binance (IP bans)")
            .register(registry);
    this.waits =
        Counter.builder("pmas.binance.weight.waits")
            .description("Times a request waited for weight budget")
            .register(registry);
    Gauge.builder("pmas.binance.weight.used", this, WeightBudget::usedWeight)
        .description("Request weight used this minute (ours and Binance's X-MBX-USED-WEIGHT-1M)")
        .register(registry);
    Gauge.builder("pmas.binance.weight.allowed", this, WeightBudget::allowedWeight)
        .description("Request weight this process may use this minute")
        .register(registry);
    Gauge.builder("pmas.binance.ip.banned", this, b -> b.ipBannedUntil().isPresent() ? 1 : 0)
        .description("1 while Binance bans this IP (HTTP 418), else 0")
        .register(registry);
    Gauge.builder(
            "pmas.binance.ip.ban.remaining",
            this,
            b -> b.ipBannedUntil().map(u -> secondsUntil(b, u)).orElse(0.0))
        .description("Seconds until Binance's IP ban ends")
        .baseUnit("seconds")
        .register(registry);
  }

  /**
   * Reserves {@code weight} for a request, waiting (with the sleeper) for the next minute or the
   * end of a 429 pause if needed, but never longer than {@code maxWait} and never through an IP
   * ban.
   */
  public Admission await(int weight, Duration maxWait) throws InterruptedException {
    Instant deadline = clock.now().plus(maxWait);
    boolean waited = false;
    while (true) {
      Instant now = clock.now();
      Admission decision;
      Instant readyAt;
      synchronized (this) {
        roll(now);
        if (now.isBefore(bannedUntil)) {
          return new Admission.Refused(
              FailureKind.IP_BANNED,
              bannedUntil,
              "Binance bans this IP until " + bannedUntil + "; no request sent");
        }
        readyAt = readyAt(weight, now);
        if (readyAt == null) {
          used += weight;
          return new Admission.Granted();
        }
        decision =
            readyAt.isAfter(deadline)
                ? new Admission.Refused(
                    FailureKind.RATE_LIMITED,
                    readyAt,
                    "the weight budget is spent until "
                        + readyAt
                        + " (longer than binance.weight.max.wait); no request sent")
                : null;
      }
      if (decision != null) {
        return decision;
      }
      if (!waited) {
        waits.increment();
        waited = true;
      }
      sleeper.sleep(Duration.between(now, readyAt));
    }
  }

  /**
   * Binance's {@code X-MBX-USED-WEIGHT-1M} from a response sent at {@code serverTime} (its Date
   * header, or our estimate of the server clock).
   */
  public synchronized void recordUsedWeight(int usedWeight, Instant serverTime) {
    long responseMinute = Math.floorDiv(serverTime.toEpochMilli(), MINUTE_MILLIS);
    if (responseMinute > minute) {
      roll(serverTime);
    }
    if (responseMinute == minute) {
      used = Math.max(used, usedWeight);
    }
  }

  /** A 429: pause every request, and slow down until a minute passes without one. */
  public synchronized void rateLimited(Optional<Duration> retryAfter) {
    Instant now = clock.now();
    roll(now);
    rateLimitedResponses.increment();
    rateLimitedThisMinute = true;
    slowdown = Math.max(MIN_SLOWDOWN, slowdown / 2);
    Instant until = retryAfter.map(now::plus).orElseGet(() -> nextMinute(now));
    if (until.isAfter(pausedUntil)) {
      pausedUntil = until;
    }
    LOG.warn(
        "Binance rate-limited this IP (HTTP 429): every request pauses until {}; weight share"
            + " lowered to {} of {} per minute",
        pausedUntil,
        allowedWeight(),
        limitPerMinute);
  }

  /** A 418: stop every request until the ban ends, and say so loudly. */
  public synchronized void banned(Optional<Duration> retryAfter) {
    Instant now = clock.now();
    bans.increment();
    slowdown = MIN_SLOWDOWN;
    Instant until = now.plus(retryAfter.orElse(DEFAULT_BAN));
    if (until.isAfter(bannedUntil)) {
      bannedUntil = until;
    }
    LOG.error(
        "Binance BANNED this IP (HTTP 418) until {} ({} from now): no request is sent until then."
            + " Something on this IP ignored rate limits; lower binance.weight.max.share, the"
            + " number of accounts or the poll frequency.",
        bannedUntil,
        Duration.between(now, bannedUntil));
  }

  /** When Binance's IP ban ends, while one lasts. */
  public synchronized Optional<Instant> ipBannedUntil() {
    return clock.now().isBefore(bannedUntil) ? Optional.of(bannedUntil) : Optional.empty();
  }

  /** When the pause after a 429 ends, while one lasts. */
  public synchronized Optional<Instant> rateLimitedUntil() {
    return clock.now().isBefore(pausedUntil) ? Optional.of(pausedUntil) : Optional.empty();
  }

  /** Weight counted in the current minute. */
  public synchronized int usedWeight() {
    roll(clock.now());
    return used;
  }

  /** Weight this process may use in the current minute. */
  public synchronized int allowedWeight() {
    roll(clock.now());
    BigDecimal allowed =
        BigDecimal.valueOf(limitPerMinute)
            .multiply(maxShare)
            .multiply(BigDecimal.valueOf(slowdown))
            .setScale(0, RoundingMode.FLOOR);
    return Math.max(1, allowed.intValue());
  }

  /** Null when {@code weight} fits now; else when to ask again. */
  private Instant readyAt(int weight, Instant now) {
    if (now.isBefore(pausedUntil)) {
      return pausedUntil;
    }
    if (used + weight > allowedWeight() && used > 0) {
      return nextMinute(now);
    }
    return null;
  }

  /** Starts a new minute if one began; each minute that passed without a 429 doubles the share. */
  private void roll(Instant now) {
    long current = Math.floorDiv(now.toEpochMilli(), MINUTE_MILLIS);
    if (current <= minute) {
      return;
    }
    if (minute != Long.MIN_VALUE) {
      long cleanMinutes = current - minute - (rateLimitedThisMinute ? 1 : 0);
      for (long i = 0; i < cleanMinutes && slowdown < 1.0; i++) {
        slowdown = Math.min(1.0, slowdown * 2);
      }
    }
    minute = current;
    used = 0;
    rateLimitedThisMinute = false;
  }

  private static Instant nextMinute(Instant now) {
    return Instant.ofEpochMilli(
        (Math.floorDiv(now.toEpochMilli(), MINUTE_MILLIS) + 1) * MINUTE_MILLIS);
  }

  private static double secondsUntil(WeightBudget budget, Instant until) {
    return Math.max(0, Duration.between(budget.clock.now(), until).toMillis() / 1000.0);
  }
}
