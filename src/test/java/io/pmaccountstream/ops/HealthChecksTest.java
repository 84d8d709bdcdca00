package io.pmaccountstream.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.ops.HealthCheck.Result;
import io.pmaccountstream.ops.HealthCheck.Status;
import io.pmaccountstream.ops.HealthChecks.Outcome;
import io.pmaccountstream.ops.HealthChecks.Report;
import io.pmaccountstream.testing.TestClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HealthChecksTest {

  @Test
  void readyWithoutChecks() {
    assertThat(new HealthChecks().evaluate()).isEqualTo(new Report(Status.UP, java.util.List.of()));
  }

  @Test
  void downWhenAnyCheckIsDownKeepingEveryOutcomeInOrder() {
    HealthChecks checks =
        new HealthChecks()
            .register(HealthCheck.named("kafka", () -> Result.up("1 broker(s)")))
            .register(HealthCheck.named("accounts", () -> Result.down("no account healthy")));

    Report report = checks.evaluate();

    assertThat(report.status()).isEqualTo(Status.DOWN);
    assertThat(report.checks())
        .containsExactly(
            new Outcome("kafka", Result.up("1 broker(s)")),
            new Outcome("accounts", Result.down("no account healthy")));
  }

  @Test
  void aThrowingCheckIsDownWithTheExceptionAsReason() {
    HealthChecks checks =
        new HealthChecks()
            .register(
                HealthCheck.named(
                    "streams",
                    () -> {
                      throw new IllegalStateException("not started");
                    }));

    assertThat(checks.evaluate().checks())
        .containsExactly(new Outcome("streams", Result.down("IllegalStateException: not started")));
  }

  @Test
  void aCheckReturningNullIsDown() {
    HealthChecks checks = new HealthChecks().register(HealthCheck.named("lazy", () -> null));

    assertThat(checks.evaluate().status()).isEqualTo(Status.DOWN);
  }

  @Test
  void refusesTwoChecksOfTheSameName() {
    HealthChecks checks = new HealthChecks().register(HealthCheck.named("kafka", () -> null));

    assertThatThrownBy(() -> checks.register(HealthCheck.named("kafka", () -> null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kafka");
  }

  @Test
  void cachedCheckAsksAgainOnlyAfterItsTimeToLive() {
    TestClock clock = TestClock.at("2026-11-23T10:00:00Z");
    AtomicInteger calls = new AtomicInteger();
    HealthCheck cached =
        HealthCheck.named("kafka", () -> Result.up("call " + calls.incrementAndGet()))
            .cachedFor(Duration.ofSeconds(5), clock);

    Result first = cached.check();
    clock.advance(Duration.ofMillis(4_999));
    Result stillCached = cached.check();
    clock.advance(Duration.ofMillis(1));
    Result refreshed = cached.check();

    assertThat(first.reason()).isEqualTo("call 1");
    assertThat(stillCached.reason()).isEqualTo("call 1");
    assertThat(refreshed.reason()).isEqualTo("call 2");
    assertThat(cached.name()).isEqualTo("kafka");
  }

  @Test
  void cachedCheckCachesAThrownExceptionAsDown() {
    TestClock clock = TestClock.at("2026-11-23T10:00:00Z");
    AtomicInteger calls = new AtomicInteger();
    HealthCheck cached =
        HealthCheck.named(
                "registry",
                () -> {
                  calls.incrementAndGet();
                  throw new IllegalStateException("refused");
                })
            .cachedFor(Duration.ofSeconds(5), clock);

    assertThat(cached.check()).isEqualTo(Result.down("IllegalStateException: refused"));
    assertThat(cached.check().isUp()).isFalse();
    assertThat(calls).hasValue(1);
  }
}
