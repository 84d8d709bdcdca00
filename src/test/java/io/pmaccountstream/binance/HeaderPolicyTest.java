package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** One test per "Headers" row of docs/reliability.md: inside the domain read, outside ignored. */
class HeaderPolicyTest {

  private static final Instant T = Instant.parse("2026-11-23T10:00:05Z");
  private static final String T_HTTP = "Mon, 23 Nov 2026 10:00:05 GMT";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final HeaderPolicy policy = new HeaderPolicy(6000, registry);

  @Test
  void dateHeader_isAnRfc1123DateElseIgnoredAndCounted() {
    assertThat(policy.date(response(Map.of("date", T_HTTP)))).contains(T);
    assertThat(policy.date(response(Map.of()))).isEmpty();
    assertThat(ignored("Date")).isZero();

    assertThat(policy.date(response(Map.of("Date", "yesterday")))).isEmpty();
    assertThat(policy.date(response(Map.of("Date", "Mon, 99 Nov 2026 10:00:05 GMT")))).isEmpty();
    assertThat(policy.date(response(Map.of("Date", "1960-01-01T00:00:00Z")))).isEmpty();
    assertThat(ignored("Date")).isEqualTo(3);
  }

  @Test
  void retryAfterHeader_secondsOrAnHttpDateAfterTheResponsesDate() {
    assertThat(policy.retryAfter(response(Map.of("Retry-After", "120")), T))
        .contains(Duration.ofSeconds(120));
    assertThat(
            policy.retryAfter(
                response(Map.of("Date", T_HTTP, "Retry-After", "Mon, 23 Nov 2026 10:02:05 GMT")),
                T.plusSeconds(30)))
        .as("relative to the Date header")
        .contains(Duration.ofMinutes(2));
    assertThat(
            policy.retryAfter(
                response(Map.of("Date", "garbage", "Retry-After", "Mon, 23 Nov 2026 10:02:05 GMT")),
                T))
        .as("relative to our server clock when the Date is unusable")
        .contains(Duration.ofMinutes(2));
    assertThat(policy.retryAfter(response(Map.of("Retry-After", "999999999")), T))
        .as("huge is read; the budget caps it")
        .contains(Duration.ofSeconds(999999999));
    assertThat(policy.retryAfter(response(Map.of()), T)).isEmpty();
    assertThat(ignored("Retry-After")).isZero();
  }

  @Test
  void retryAfterHeader_negativeZeroPastOrGarbageIsIgnoredAndCounted() {
    for (String bad :
        new String[] {
          "-5", "0", "soon", "1.5", "Mon, 23 Nov 2026 09:00:05 GMT", "99999999999999999999"
        }) {
      assertThat(policy.retryAfter(response(Map.of("Date", T_HTTP, "Retry-After", bad)), T))
          .as(bad)
          .isEmpty();
    }
    assertThat(ignored("Retry-After")).isEqualTo(6);
  }

  @Test
  void usedWeightHeader_isAnIntegerUpToTenTimesTheLimitElseIgnoredAndCounted() {
    assertThat(policy.usedWeight1m(response(Map.of("x-mbx-used-weight-1m", " 1234 "))))
        .hasValue(1234);
    assertThat(policy.usedWeight1m(response(Map.of("X-MBX-USED-WEIGHT-1M", "60000"))))
        .hasValue(60000);
    assertThat(ignored("X-MBX-USED-WEIGHT-1M")).isZero();

    for (String bad : new String[] {"-5", "lots", "60001", "1e3", "99999999999999999999"}) {
      assertThat(policy.usedWeight1m(response(Map.of("X-MBX-USED-WEIGHT-1M", bad))))
          .as(bad)
          .isEmpty();
    }
    assertThat(ignored("X-MBX-USED-WEIGHT-1M")).isEqualTo(5);
  }

  private double ignored(String header) {
    return registry.get("pmas.binance.headers.ignored").tag("header", header).counter().count();
  }

  private static Exchange.Response response(Map<String, String> headers) {
    Map<String, String> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    caseInsensitive.putAll(headers);
    return new Exchange.Response(200, caseInsensitive, new byte[0], false, T, T);
  }
}
