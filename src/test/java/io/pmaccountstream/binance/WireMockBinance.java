package io.pmaccountstream.binance;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.pmaccountstream.config.Secret;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * WireMock on 127.0.0.1 as the test peer of the client: stubs say what Binance answers; two small
 * extensions add what Binance does to every request — check the signature (-1022) and the timestamp
 * against recvWindow on a server clock that may be skewed from ours (-1021), stamp a {@code Date}
 * header from that clock, and serve {@code /fapi/v1/time}. Not a simulator: no account state.
 */
final class WireMockBinance implements AutoCloseable {

  static final String ACCOUNT_PATH = "/papi/v1/account";
  static final String TIME_PATH = "/fapi/v1/time";
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private final WireMockServer server;
  private final Map<String, BiPredicate<String, String>> verifiers = new ConcurrentHashMap<>();
  private volatile Clock clock = Clock.systemUTC();
  private volatile Duration skew = Duration.ZERO;

  WireMockBinance() {
    server =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                // Enough for 32 slow answers at once and the healthy ones beside them.
                .containerThreads(80)
                .extensions(new RequestChecks(), new DateStamp()));
    server.start();
  }

  WireMockServer wireMock() {
    return server;
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  URI timeUrl() {
    return URI.create(baseUrl() + TIME_PATH);
  }

  /** Forget stubs, requests and keys; the server's clock is {@code clock} plus {@code skew}. */
  void reset(Clock clock, Duration skew) {
    server.resetAll();
    verifiers.clear();
    this.clock = clock;
    this.skew = skew;
    acceptHmacKey(TestKeys.DOC_API_KEY, TestKeys.DOC_SECRET);
  }

  void acceptHmacKey(String apiKey, String secret) {
    HmacSha256Signer signer = new HmacSha256Signer(Secret.of(secret));
    verifiers.put(apiKey, (payload, signature) -> signer.sign(payload).equals(signature));
  }

  /** Accepts {@code apiKey} when {@code verifier} accepts (payload, URL-decoded signature). */
  void acceptKey(String apiKey, BiPredicate<String, String> verifier) {
    verifiers.put(apiKey, verifier);
  }

  Instant serverNow() {
    return clock.instant().plus(skew);
  }

  /** Every query string the account endpoint received, in order. */
  List<String> accountQueries() {
    List<String> newestFirst =
        server.getAllServeEvents().stream()
            .map(ServeEvent::getRequest)
            .filter(r -> r.getUrl().startsWith(ACCOUNT_PATH))
            .map(r -> URI.create(r.getUrl()).getRawQuery())
            .collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
    java.util.Collections.reverse(newestFirst);
    return newestFirst;
  }

  int accountRequests() {
    return accountQueries().size();
  }

  @Override
  public void close() {
    server.stop();
  }

  /** What Binance checks before it looks at the stub: signature, then timestamp. */
  private final class RequestChecks implements ResponseDefinitionTransformerV2 {

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      Request request = event.getRequest();
      String path = URI.create(request.getUrl()).getPath();
      if (path.equals(TIME_PATH)) {
        return ResponseDefinition.okForJson(Map.of("serverTime", serverNow().toEpochMilli()));
      }
      if (!path.equals(ACCOUNT_PATH)) {
        return event.getResponseDefinition();
      }
      String query = URI.create(request.getUrl()).getRawQuery();
      int signatureAt = query == null ? -1 : query.lastIndexOf("&signature=");
      if (signatureAt < 0) {
        return error(400, -1102, "Mandatory parameter 'signature' was not sent.");
      }
      String payload = query.substring(0, signatureAt);
      String signature =
          java.net.URLDecoder.decode(
              query.substring(signatureAt + "&signature=".length()),
              java.nio.charset.StandardCharsets.UTF_8);
      BiPredicate<String, String> verifier = verifiers.get(request.getHeader("X-MBX-APIKEY"));
      if (verifier == null) {
        return error(401, -2015, "Invalid API-key, IP, or permissions for action.");
      }
      if (!verifier.test(payload, signature)) {
        return error(400, -1022, "Signature for this request is not valid.");
      }
      Map<String, String> params = params(payload);
      long timestamp = Long.parseLong(params.get("timestamp"));
      long recvWindow = Long.parseLong(params.getOrDefault("recvWindow", "5000"));
      long now = serverNow().toEpochMilli();
      if (timestamp > now + 1000) {
        return error(
            400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
      }
      if (now - timestamp > recvWindow) {
        return error(400, -1021, "Timestamp for this request is outside of the recvWindow.");
      }
      return event.getResponseDefinition();
    }

    @Override
    public boolean applyGlobally() {
      return true;
    }

    @Override
    public String getName() {
      return "binance-request-checks";
    }

    private ResponseDefinition error(int status, int code, String msg) {
      return com.github.tomakehurst.wiremock.client.WireMock.aResponse()
          .withStatus(status)
          .withHeader("Content-Type", "application/json")
          .withBody("{\"code\":" + code + ",\"msg\":\"" + msg + "\"}")
          .build();
    }

    private Map<String, String> params(String query) {
      Map<String, String> params = new java.util.HashMap<>();
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        params.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
      return params;
    }
  }

  /** Binance sends a Date header with every response; stubs may set their own. */
  private final class DateStamp implements ResponseTransformerV2 {

    @Override
    public Response transform(Response response, ServeEvent event) {
      if (response.getHeaders().getHeader("Date").isPresent()) {
        return response;
      }
      HttpHeaders headers =
          response.getHeaders().plus(new HttpHeader("Date", HTTP_DATE.format(serverNow())));
      return Response.Builder.like(response).but().headers(headers).build();
    }

    @Override
    public boolean applyGlobally() {
      return true;
    }

    @Override
    public String getName() {
      return "binance-date";
    }
  }
}
