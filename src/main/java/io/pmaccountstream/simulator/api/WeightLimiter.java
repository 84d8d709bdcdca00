package io.pmaccountstream.simulator.api;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Binance's IP limits: request weight is counted per IP per calendar minute of the server clock.
 * Past the limit a request gets 429 with {@code Retry-After} until the next minute; a request that
 * arrives before that Retry-After has passed bans the IP (418) for {@code banDuration}, doubling
 * with every further ban up to 3 days. Weight is counted for every request, answered or not.
 */
public final class WeightLimiter {

  public static final Duration MAX_BAN = Duration.ofDays(3);
  private static final long MINUTE_MILLIS = 60_000;

  /** What to do with a request. */
  public enum Outcome {
    ALLOWED,
    LIMITED,
    BANNED
  }

  /**
   * @param usedWeight the IP's weight in the current minute, for {@code X-MBX-USED-WEIGHT-1M}
   * @param retryAfter zero when allowed
   * @param bannedUntilMillis server time the ban ends (0 when not banned)
   */
  public record Decision(
      Outcome outcome, int usedWeight, Duration retryAfter, long bannedUntilMillis) {

    public boolean allowed() {
      return outcome == Outcome.ALLOWED;
    }

    /** {@code Retry-After} in whole seconds, at least 1. */
    public long retryAfterSeconds() {
      return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
  }

  private final int limit;
  private final Duration banDuration;
  private final Clock clock;
  private final Map<String, IpState> ips = new ConcurrentHashMap<>();

  public WeightLimiter(int limit, Duration banDuration, Clock clock) {
    this.limit = limit;
    this.banDuration = banDuration;
    this.clock = clock;
  }

  public int limit() {
    return limit;
  }

  public Decision acquire(String ip, int weight) {
    return ips.computeIfAbsent(ip, k -> new IpState()).acquire(clock.millis(), weight);
  }

  /** The IP's weight in the current minute, without counting anything. */
  public int used(String ip) {
    IpState state = ips.get(ip);
    return state == null ? 0 : state.used(clock.millis());
  }

  private final class IpState {
    private long minute = Long.MIN_VALUE;
    private int used;
    private long limitedUntil;
    private long bannedUntil;
    private int bans;

    synchronized int used(long now) {
      return Math.floorDiv(now, MINUTE_MILLIS) == minute ? used : 0;
    }

    synchronized Decision acquire(long now, int weight) {
      long currentMinute = Math.floorDiv(now, MINUTE_MILLIS);
      if (currentMinute != minute) {
        minute = currentMinute;
        used = 0;
      }
      used += weight;
      if (now < bannedUntil) {
        return new Decision(
            Outcome.BANNED, used, Duration.ofMillis(bannedUntil - now), bannedUntil);
      }
      if (now < limitedUntil) {
        bannedUntil = now + banFor(bans++).toMillis();
        limitedUntil = 0;
        return new Decision(
            Outcome.BANNED, used, Duration.ofMillis(bannedUntil - now), bannedUntil);
      }
      if (used > limit) {
        limitedUntil = (currentMinute + 1) * MINUTE_MILLIS;
        return new Decision(Outcome.LIMITED, used, Duration.ofMillis(limitedUntil - now), 0);
      }
      return new Decision(Outcome.ALLOWED, used, Duration.ZERO, 0);
    }

    private Duration banFor(int previousBans) {
      Duration ban = banDuration;
      for (int i = 0; i < previousBans && ban.compareTo(MAX_BAN) < 0; i++) {
        ban = ban.multipliedBy(2);
      }
      return ban.compareTo(MAX_BAN) > 0 ? MAX_BAN : ban;
    }
  }
}
