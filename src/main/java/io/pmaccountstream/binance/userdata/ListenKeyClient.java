package io.pmaccountstream.binance.userdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.BinanceClientConfig;
import io.pmaccountstream.binance.ErrorAnswers;
import io.pmaccountstream.binance.ErrorTaxonomy;
import io.pmaccountstream.binance.WeightBudget;
import io.pmaccountstream.binance.WeightBudget.Admission;
import io.pmaccountstream.binance.WeightBudget.Priority;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code POST/PUT/DELETE /papi/v1/listenKey}: weight 1 each, spent from the shared {@link
 * WeightBudget}; USER_STREAM, so the API key header alone (no signature). Never throws for what
 * Binance or the network do: every outcome is an {@link Answer}. An error answer is read by {@link
 * ErrorAnswers}, as the account client's are: a 418, a 429 or a {@code -1003} pauses the shared
 * budget for the same Retry-After.
 */
final class ListenKeyClient {

  static final String PATH = "/papi/v1/listenKey";
  static final int WEIGHT = 1;
  static final int LISTEN_KEY_NOT_FOUND = -1125;

  /**
   * Longest a listenKey request waits for weight budget: the stream's scheduler threads are shared
   * by every account, so a request that cannot go soon fails and is retried with the backoff.
   */
  static final Duration MAX_BUDGET_WAIT = Duration.ofSeconds(1);

  private static final String API_KEY_HEADER = "X-MBX-APIKEY";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern KEY_FORMAT = Pattern.compile("[A-Za-z0-9]{1,128}");

  /** The outcome of one listenKey request. */
  sealed interface Answer {
    /** POST answered a key. */
    record Key(String listenKey) implements Answer {}

    /** PUT or DELETE done. */
    record Done() implements Answer {}

    /** {@code -1125}: the key expired or never existed. */
    record NoSuchKey() implements Answer {}

    /** Anything else: not sent (budget), a transport error, or an error answer. */
    record Failed(String reason) implements Answer {}
  }

  private final HttpClient http;
  private final URI endpoint;
  private final Duration deadline;
  private final Duration weightMaxWait;
  private final WeightBudget budget;
  private final ErrorAnswers errorAnswers;

  ListenKeyClient(
      HttpClient http, BinanceClientConfig config, WeightBudget budget, MeterRegistry registry) {
    this.http = http;
    this.endpoint = URI.create(stripSlash(config.baseUrl().toString()) + PATH);
    this.deadline = config.responseDeadline();
    this.weightMaxWait =
        config.weightMaxWait().compareTo(MAX_BUDGET_WAIT) < 0
            ? config.weightMaxWait()
            : MAX_BUDGET_WAIT;
    this.budget = budget;
    this.errorAnswers = new ErrorAnswers(config, budget, registry);
  }

  Answer create(AccountCredentials account) {
    return send("POST", account);
  }

  Answer keepAlive(AccountCredentials account) {
    return send("PUT", account);
  }

  Answer close(AccountCredentials account) {
    return send("DELETE", account);
  }

  private Answer send(String method, AccountCredentials account) {
    try {
      // urgent: a stream that lapses leaves the account without its pushes
      if (budget.await(WEIGHT, weightMaxWait, Priority.URGENT)
          instanceof Admission.Refused refused) {
        return new Answer.Failed("not sent: " + refused.kind() + " (" + refused.reason() + ")");
      }
      HttpRequest request =
          HttpRequest.newBuilder(endpoint)
              .timeout(deadline)
              .header(API_KEY_HEADER, account.apiKey().reveal())
              .method(method, HttpRequest.BodyPublishers.noBody())
              .build();
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return answer(method, response);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer.Failed("interrupted");
    } catch (IOException e) {
      return new Answer.Failed(
          ErrorTaxonomy.forTransportError(e).kind() + ": " + e.getClass().getSimpleName());
    }
  }

  private Answer answer(String method, HttpResponse<byte[]> response) {
    int status = response.statusCode();
    byte[] body = response.body() == null ? new byte[0] : response.body();
    if (status == 200) {
      return method.equals("POST") ? key(body) : new Answer.Done();
    }
    ErrorTaxonomy.Verdict verdict = errorAnswers.classify(response);
    Optional<Integer> code = ErrorAnswers.code(body);
    if (code.isPresent() && code.get() == LISTEN_KEY_NOT_FOUND) {
      return new Answer.NoSuchKey();
    }
    return new Answer.Failed(
        "HTTP " + status + code.map(c -> " code " + c).orElse("") + " (" + verdict.kind() + ")");
  }

  private static Answer key(byte[] body) {
    try {
      JsonNode key = JSON.readTree(body).get("listenKey");
      if (key != null && key.isTextual() && KEY_FORMAT.matcher(key.textValue()).matches()) {
        return new Answer.Key(key.textValue());
      }
    } catch (IOException e) {
      // reported below
    }
    return new Answer.Failed("HTTP 200 without a listenKey (BAD_PAYLOAD)");
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
