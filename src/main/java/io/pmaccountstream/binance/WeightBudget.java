package io.pmaccountstream.binance;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.IntSupplier;
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
 * log, {@code pmas.binance.ip.banned} gauge, {@link #ipBannedUntil()} for the health check). A
 * Retry-After is held to Binance's documented bounds (418: 2 minutes to 3 days; 429: at most {@code
 * binance.rate.limit.max.pause}); bans and pauses run on the local clock, so a wrong server-clock
 * estimate cannot extend or invent one.
 *
 * <p>Requests have a {@link Priority}. Scheduled polls are {@link Priority#ROUTINE}: they leave the
 * minute's urgent reserve ({@link #urgentReserve()}) free. Polls a push asked for and listen-key
 * calls are {@link Priority#URGENT}: they may spend the whole minute, so a burst of pushes is
 * served at once instead of waiting behind the scheduled polls for the next minute. The reserve is
 * what urgent requests used in the last minute or are using in this one at their pace so far (the
 * larger, plus a quarter), at most what the routine floor the poller sets leaves (by default half
 * of the allowed weight), and never less than the floor share the poller sets ({@link
 * #reserveForUrgent}). Thread safe.
 */
public final class WeightBudget {

  private static final Logger LOG = LoggerFactory.getLogger(WeightBudget.class);
  private static final long MINUTE_MILLIS = 60_000;

  /**
   * Binance documents 418 bans as lasting from 2 minutes to 3 days: a 418 without a usable
   * Retry-After is taken as the shortest ban.
   */
  static final Duration MIN_BAN = Duration.ofMinutes(2);

  static final Duration MAX_BAN = Duration.ofDays(3);
  static final Duration DEFAULT_MAX_PAUSE = Duration.ofMinutes(1);
  private static final double MIN_SLOWDOWN = 0.125;

  /**
   * From this far into a minute on, the urgent reserve follows the pace of this minute's urgent
   * requests, so that a first burst of pushes does not wait for the next minute to be reserved.
   */
  static final Duration PROJECTION_AFTER = Duration.ofSeconds(10);

  private final int limitPerMinute;
  private final BigDecimal maxShare;
  private final ServerClock clock;
  private final Sleeper sleeper;
  private final Duration maxPause;
  private final Counter rateLimitedResponses;
  private final Counter bans;
  private final Counter waits;
  private final Counter urgentWaits;

  private long minute = Long.MIN_VALUE;
  private int used;
  private double slowdown = 1.0;
  private boolean rateLimitedThisMinute;
  private int urgentUsed;
  private int urgentUsedLastMinute;
  private double reserveFloorShare;
  private IntSupplier routineFloor = () -> Integer.MAX_VALUE;

  /** Local time; null when no 429 pause is on. */
  private Instant pausedUntil;

  /** Local time; null when no ban is on. */
  private Instant bannedUntil;

  /** Which requests go first when the minute's weight runs short. */
  public enum Priority {
    /** A scheduled poll: leaves the urgent reserve free. */
    ROUTINE,
    /** A poll a push asked for, a listen-key call: may spend the minute's whole weight. */
    URGENT
  }

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
    this(limitPerMinute, maxShare, DEFAULT_MAX_PAUSE, clock, sleeper, registry);
  }

  /**
   * @param maxPause cap of a 429's Retry-After ({@code binance.rate.limit.max.pause})
   */
  public WeightBudget(
      int limitPerMinute,
      BigDecimal maxShare,
      Duration maxPause,
      ServerClock clock,
      Sleeper sleeper,
      MeterRegistry registry) {
    this.maxPause = maxPause;
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
    this.urgentWaits =
        Counter.builder("pmas.binance.weight.urgent.waits")
            .description(
                "Times an urgent request (a push-triggered poll, a listen-key call) waited for"
                    + " weight budget")
            .register(registry);
    Gauge.builder("pmas.binance.weight.used", this, WeightBudget::usedWeight)
        .description("Request weight used this minute (ours and Binance's X-MBX-USED-WEIGHT-1M)")
        .register(registry);
    Gauge.builder("pmas.binance.weight.allowed", this, WeightBudget::allowedWeight)
        .description("Request weight this process may use this minute")
        .register(registry);
    Gauge.builder("pmas.binance.weight.reserved", this, WeightBudget::urgentReserve)
        .description(
            "Request weight held back this minute from scheduled polls for push-triggered polls"
                + " and listen-key calls")
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

  /** {@link #await(int, Duration, Priority)} for a {@link Priority#ROUTINE} request. */
  public Admission await(int weight, Duration maxWait) throws InterruptedException {
    return await(weight, maxWait, Priority.ROUTINE);
  }

  /**
   * Reserves {@code weight} for a request, waiting (with the sleeper) for the next minute or the
   * end of a 429 pause if needed, but never longer than {@code maxWait} and never through an IP
   * ban. Bans and pauses run on the local clock (a Retry-After is a duration), minutes on the
   * server clock, so neither a clock correction nor one odd header can stretch them.
   */
  public Admission await(int weight, Duration maxWait, Priority priority)
      throws InterruptedException {
    Instant deadline = clock.localNow().plus(maxWait);
    boolean waited = false;
    while (true) {
      Instant localNow = clock.localNow();
      Admission decision;
      Duration wait;
      synchronized (this) {
        roll(clock.toServerTime(localNow));
        if (bannedUntil != null && localNow.isBefore(bannedUntil)) {
          return new Admission.Refused(
              FailureKind.IP_BANNED,
              bannedUntil,
              "Binance bans this IP until " + bannedUntil + "; no request sent");
        }
        wait = waitFor(weight, localNow, priority);
        if (wait == null) {
          used += weight;
          if (priority == Priority.URGENT) {
            urgentUsed += weight;
          }
          return new Admission.Granted();
        }
        Instant readyAt = localNow.plus(wait);
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
        if (priority == Priority.URGENT) {
          urgentWaits.increment();
        }
        waited = true;
      }
      sleeper.sleep(wait);
    }
  }

  /**
   * Binance's {@code X-MBX-USED-WEIGHT-1M} from a response that arrived at {@code serverTime} on
   * our estimate of the server clock (never the response's own Date header: one header must not
   * move the minute).
   */
  public synchronized void recordUsedWeight(int usedWeight, Instant serverTime) {
    long responseMinute = Math.floorDiv(serverTime.toEpochMilli(), MINUTE_MILLIS);
    long nowMinute = Math.floorDiv(clock.now().toEpochMilli(), MINUTE_MILLIS);
    if (responseMinute > nowMinute + 1) {
      return;
    }
    if (responseMinute > minute) {
      roll(serverTime);
    }
    if (responseMinute == minute) {
      used = Math.max(used, usedWeight);
    }
  }

  /**
   * A 429: pause every request for its Retry-After (at most {@code binance.rate.limit.max.pause};
   * absent: until the next minute), and slow down until a minute passes without one.
   */
  public synchronized void rateLimited(Optional<Duration> retryAfter) {
    Instant localNow = clock.localNow();
    Instant serverNow = clock.toServerTime(localNow);
    roll(serverNow);
    rateLimitedResponses.increment();
    rateLimitedThisMinute = true;
    slowdown = Math.max(MIN_SLOWDOWN, slowdown / 2);
    Duration pause =
        retryAfter
            .map(d -> min(d, maxPause))
            .orElseGet(() -> Duration.between(serverNow, nextMinute(serverNow)));
    Instant until = localNow.plus(pause);
    if (pausedUntil == null || until.isAfter(pausedUntil)) {
      pausedUntil = until;
    }
    LOG.warn(
        "Binance rate-limited this IP (HTTP 429): every request pauses until {}; weight share"
            + " lowered to {} of {} per minute",
        pausedUntil,
        allowedWeight(),
        limitPerMinute);
  }

  /**
   * A 418: stop every request until the ban ends, and say so loudly. The server's Retry-After is
   * the ban (capped at Binance's documented maximum of 3 days: a longer one is a broken header, not
   * a ban); without a usable one, the documented minimum of 2 minutes.
   */
  public synchronized void banned(Optional<Duration> retryAfter) {
    Instant now = clock.localNow();
    bans.increment();
    slowdown = MIN_SLOWDOWN;
    Duration ban = retryAfter.map(d -> min(d, MAX_BAN)).orElse(MIN_BAN);
    Instant until = now.plus(ban);
    if (bannedUntil == null || until.isAfter(bannedUntil)) {
      bannedUntil = until;
    }
    LOG.error(
        "Binance BANNED this IP (HTTP 418) until {} ({} from now): no request is sent until then."
            + " Something on this IP ignored rate limits; lower binance.weight.max.share, the"
            + " number of accounts or the poll frequency.",
        bannedUntil,
        Duration.between(now, bannedUntil));
  }

  /** The clock of this budget's minutes, bans and pauses. */
  ServerClock serverClock() {
    return clock;
  }

  /** When Binance's IP ban ends (local clock), while one lasts. */
  public synchronized Optional<Instant> ipBannedUntil() {
    return bannedUntil != null && clock.localNow().isBefore(bannedUntil)
        ? Optional.of(bannedUntil)
        : Optional.empty();
  }

  /** When the pause after a 429 ends (local clock), while one lasts. */
  public synchronized Optional<Instant> rateLimitedUntil() {
    return pausedUntil != null && clock.localNow().isBefore(pausedUntil)
        ? Optional.of(pausedUntil)
        : Optional.empty();
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

  /**
   * {@link #reserveForUrgent(double, IntSupplier)} with routine requests keeping at least half of
   * the allowed weight.
   */
  public void reserveForUrgent(double floorShare) {
    reserveForUrgent(floorShare, () -> allowedWeight() / 2);
  }

  /**
   * @param floorShare the least share of the allowed weight held back from routine requests each
   *     minute ({@code poll.adaptive.headroom}); 0 until set
   * @param routineFloor the weight a minute routine requests keep whatever urgent ones use (the
   *     poller: its schedule's floor, every account once per {@code poll.interval.max})
   */
  public synchronized void reserveForUrgent(double floorShare, IntSupplier routineFloor) {
    if (floorShare < 0 || floorShare >= 1) {
      throw new IllegalArgumentException("floor share " + floorShare + " is not in [0, 1)");
    }
    this.reserveFloorShare = floorShare;
    this.routineFloor = routineFloor;
  }

  /**
   * The weight routine requests leave free this minute for urgent ones: what urgent requests used
   * in the last minute, or will use in this one at the pace they have used it so far (from {@link
   * #PROJECTION_AFTER} into the minute on), the larger, plus a quarter; at most what the routine
   * floor leaves, at least the floor share.
   */
  public synchronized int urgentReserve() {
    int allowed = allowedWeight();
    long intoMinute = clock.now().toEpochMilli() - minute * MINUTE_MILLIS;
    double thisMinute =
        intoMinute >= PROJECTION_AFTER.toMillis()
            ? urgentUsed * (double) MINUTE_MILLIS / Math.min(intoMinute, MINUTE_MILLIS)
            : urgentUsed;
    int measured = (int) Math.ceil(1.25 * Math.max(urgentUsedLastMinute, thisMinute));
    int floor = (int) Math.ceil(allowed * reserveFloorShare);
    int cap = allowed - routineFloor.getAsInt();
    return Math.max(floor, Math.min(cap, measured));
  }

  /**
   * How long a {@link Priority#ROUTINE} request of this weight would wait now (for the next minute
   * or the end of a 429 pause); zero when it may go, and during a ban (the request is then refused
   * at once, not held).
   */
  public Duration routineWait(int weight) {
    Instant localNow = clock.localNow();
    synchronized (this) {
      roll(clock.toServerTime(localNow));
      Duration wait = waitFor(weight, localNow, Priority.ROUTINE);
      return wait == null ? Duration.ZERO : wait;
    }
  }

  /** Null when {@code weight} fits now; else how long to wait before asking again. */
  private Duration waitFor(int weight, Instant localNow, Priority priority) {
    if (pausedUntil != null && localNow.isBefore(pausedUntil)) {
      return Duration.between(localNow, pausedUntil);
    }
    int room = allowedWeight();
    if (priority == Priority.ROUTINE) {
      room -= Math.max(0, urgentReserve() - urgentUsed);
    }
    if (used + weight > room && used > 0) {
      Instant serverNow = clock.toServerTime(localNow);
      return Duration.between(serverNow, nextMinute(serverNow));
    }
    return null;
  }

  /**
   * Starts a new minute if one began; each minute that passed without a 429 doubles the share. A
   * server clock corrected back by more than a minute starts the minute it now says, so that a
   * clock once wrong far ahead cannot hold a spent minute for ever.
   */
  private void roll(Instant serverNow) {
    long current = Math.floorDiv(serverNow.toEpochMilli(), MINUTE_MILLIS);
    if (current == minute || (current < minute && current >= minute - 1)) {
      return;
    }
    if (minute != Long.MIN_VALUE && current > minute) {
      long cleanMinutes = current - minute - (rateLimitedThisMinute ? 1 : 0);
      for (long i = 0; i < cleanMinutes && slowdown < 1.0; i++) {
        slowdown = Math.min(1.0, slowdown * 2);
      }
    }
    urgentUsedLastMinute = current == minute + 1 ? urgentUsed : 0;
    minute = current;
    used = 0;
    urgentUsed = 0;
    rateLimitedThisMinute = false;
  }

  private static Instant nextMinute(Instant now) {
    return Instant.ofEpochMilli(
        (Math.floorDiv(now.toEpochMilli(), MINUTE_MILLIS) + 1) * MINUTE_MILLIS);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static double secondsUntil(WeightBudget budget, Instant until) {
    return Math.max(0, Duration.between(budget.clock.localNow(), until).toMillis() / 1000.0);
  }
}
