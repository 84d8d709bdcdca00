package io.pmaccountstream.ops;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One readiness condition, answered by {@code /health/ready}. A check must return quickly and
 * should not throw; a thrown exception is reported as DOWN with the exception's class and message.
 * Checks run one after the other on each request, and the manifests' readiness probes allow 10 s
 * (poll) and 5 s (derive) for all of them: bound every network call by a few seconds and cache it
 * ({@link #cachedFor}).
 *
 * <p>Components register their conditions with {@link HealthChecks#register}. The generic ones are
 * {@link KafkaReachableCheck} and {@link HttpReachableCheck}; the rest are lambdas over state the
 * component already keeps, named with {@link #named}:
 *
 * <pre>{@code
 * // poll
 * health.register(kafkaReachable.cachedFor(Duration.ofSeconds(5), clock));
 * health.register(HttpReachableCheck.schemaRegistry(registryUrl, timeout).cachedFor(ttl, clock));
 * health.register(HealthCheck.named("binance-ip-not-banned", () -> budget.bannedUntil()
 *     .map(until -> Result.down("IP banned by Binance until " + until))
 *     .orElse(Result.up("not banned"))));
 * health.register(HealthCheck.named("accounts", () -> poller.healthyAccounts().isEmpty()
 *     ? Result.down("no account polled successfully in the last " + window)
 *     : Result.up(poller.healthyAccounts().size() + " account(s) healthy")));
 *
 * // derive
 * health.register(HealthCheck.named("streams", () -> streams.state() == KafkaStreams.State.RUNNING
 *     ? Result.up("RUNNING")
 *     : Result.down("Kafka Streams is " + streams.state())));
 * }</pre>
 *
 * Reasons are shown to anyone who can reach the endpoint: never put a credential or a signed URL in
 * one.
 */
@FunctionalInterface
public interface HealthCheck {

  Result check();

  /** The name shown in the readiness JSON; lambdas get theirs from {@link #named}. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** The check with its name, for lambdas. */
  static HealthCheck named(String name, HealthCheck check) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(check, "check");
    return new HealthCheck() {
      @Override
      public Result check() {
        return check.check();
      }

      @Override
      public String name() {
        return name;
      }
    };
  }

  /**
   * This check answered from a cache for {@code ttl}, so frequent probes (and several probes at
   * once) cost one network call per {@code ttl}.
   */
  default HealthCheck cachedFor(Duration ttl, Clock clock) {
    return new CachedHealthCheck(this, ttl, clock);
  }

  enum Status {
    UP,
    DOWN
  }

  /**
   * The outcome of a check.
   *
   * @param status UP or DOWN
   * @param reason for humans: why DOWN, or what was seen when UP
   * @param details machine-readable detail shown under the check in the JSON (for example one entry
   *     per account); values are anything Jackson writes (strings, numbers, maps, lists)
   */
  record Result(Status status, String reason, Map<String, Object> details) {

    public Result {
      Objects.requireNonNull(status, "status");
      reason = reason == null ? "" : reason;
      details =
          details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public Result(Status status, String reason) {
      this(status, reason, Map.of());
    }

    public static Result up(String reason) {
      return new Result(Status.UP, reason);
    }

    public static Result down(String reason) {
      return new Result(Status.DOWN, reason);
    }

    /** This result with machine-readable details. */
    public Result withDetails(Map<String, Object> details) {
      return new Result(status, reason, details);
    }

    public boolean isUp() {
      return status == Status.UP;
    }
  }
}
