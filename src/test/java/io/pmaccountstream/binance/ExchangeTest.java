package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ExchangeTest {

  private static final Instant T = Instant.parse("2026-11-23T10:00:05Z");

  @Test
  void readsRetryAfterAsSecondsOrAsAnHttpDateRelativeToTheDateHeader() {
    assertThat(response(Map.of("Retry-After", "120")).retryAfter())
        .contains(Duration.ofSeconds(120));
    assertThat(
            response(
                    Map.of(
                        "Date", "Mon, 23 Nov 2026 10:00:05 GMT",
                        "Retry-After", "Mon, 23 Nov 2026 10:02:05 GMT"))
                .retryAfter())
        .contains(Duration.ofMinutes(2));
    assertThat(response(Map.of("Retry-After", "soon")).retryAfter()).isEmpty();
    assertThat(response(Map.of()).retryAfter()).isEmpty();
  }

  @Test
  void readsTheDateAndTheUsedWeightCaseInsensitively() {
    Exchange.Response response =
        response(Map.of("date", "Mon, 23 Nov 2026 10:00:05 GMT", "x-mbx-used-weight-1m", " 1234 "));

    assertThat(response.date()).contains(T);
    assertThat(response.usedWeight1m()).hasValue(1234);
    assertThat(response(Map.of("X-MBX-USED-WEIGHT-1M", "-5")).usedWeight1m()).isEmpty();
    assertThat(response(Map.of("Date", "yesterday")).date()).isEmpty();
  }

  private static Exchange.Response response(Map<String, String> headers) {
    Map<String, String> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    caseInsensitive.putAll(headers);
    return new Exchange.Response(200, caseInsensitive, new byte[0], false, T, T);
  }
}
