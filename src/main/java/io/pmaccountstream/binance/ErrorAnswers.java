package io.pmaccountstream.binance;

import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.binance.AccountInfoParser.BinanceError;
import io.pmaccountstream.binance.ErrorTaxonomy.Action;
import io.pmaccountstream.binance.ErrorTaxonomy.Verdict;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What an HTTP answer from Binance does, for every request that spends the shared {@link
 * WeightBudget} ({@code GET /papi/v1/account} and the listenKey requests alike): Binance's code is
 * read from its {@code {"code": .., "msg": ..}} body by {@link AccountInfoParser#parseError}, the
 * verdict is {@link ErrorTaxonomy}'s, and a ban or a rate limit pauses the budget for the
 * Retry-After as {@link HeaderPolicy} reads it (seconds or an HTTP date; zero or garbage is as if
 * absent, so a 418 then bans for the documented minimum).
 */
public final class ErrorAnswers {

  private final HeaderPolicy headers;
  private final WeightBudget budget;
  private final ServerClock serverClock;

  ErrorAnswers(HeaderPolicy headers, WeightBudget budget, ServerClock serverClock) {
    this.headers = headers;
    this.budget = budget;
    this.serverClock = serverClock;
  }

  /** The answers of requests that spend {@code budget}, on the server clock it counts in. */
  public ErrorAnswers(BinanceClientConfig config, WeightBudget budget, MeterRegistry registry) {
    this(new HeaderPolicy(config.weightLimitPerMinute(), registry), budget, budget.serverClock());
  }

  /** Binance's error code, if {@code body} is Binance's error body. */
  public static Optional<Integer> code(byte[] body) {
    return AccountInfoParser.parseError(body).map(BinanceError::code);
  }

  /**
   * The verdict on {@code response}; a ban or a rate limit also pauses every request of the budget
   * until its Retry-After.
   */
  Verdict classify(Exchange.Response response) {
    Verdict verdict = ErrorTaxonomy.forResponse(response.status(), code(response.body()));
    if (verdict.kind() == FailureKind.IP_BANNED) {
      budget.banned(retryAfter(response));
    } else if (verdict.action() == Action.WAIT_AND_RETRY) {
      budget.rateLimited(retryAfter(response));
    }
    return verdict;
  }

  /**
   * As {@link #classify(Exchange.Response)}, for an answer of the JDK's {@link
   * java.net.http.HttpClient} that has just arrived (the listenKey requests, which share it with
   * the user-data WebSockets).
   */
  public Verdict classify(HttpResponse<byte[]> response) {
    Instant receivedAt = serverClock.localNow();
    Map<String, String> firstValues = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> values.stream().findFirst().ifPresent(v -> firstValues.put(name, v)));
    byte[] body = response.body() == null ? new byte[0] : response.body();
    // when it was sent does not matter to the verdict or the Retry-After
    return classify(
        new Exchange.Response(
            response.statusCode(), firstValues, body, false, receivedAt, receivedAt));
  }

  private Optional<Duration> retryAfter(Exchange.Response response) {
    return headers.retryAfter(response, serverClock.toServerTime(response.receivedAt()));
  }
}
