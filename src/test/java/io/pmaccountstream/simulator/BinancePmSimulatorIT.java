package io.pmaccountstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.simulator.api.SignatureVerifier;
import io.pmaccountstream.simulator.fault.Fault;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.simulator.fault.LatencyModel;
import io.pmaccountstream.simulator.scenario.AccountSpec;
import io.pmaccountstream.simulator.scenario.Credentials;
import io.pmaccountstream.simulator.scenario.KeyType;
import io.pmaccountstream.simulator.scenario.Scenario;
import io.pmaccountstream.testing.TestClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drives a running simulator over real HTTP with the JDK's client (not this project's). */
class BinancePmSimulatorIT {

  private static final String KEY = "AliceKey0123456789";
  private static final String SECRET = "alice-secret";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<BinancePmSimulator> started = new ArrayList<>();

  @AfterEach
  void stopSimulators() {
    started.forEach(BinancePmSimulator::close);
  }

  @Test
  void servesASignedAccountRequestWithBinancesHeaders() throws Exception {
    BinancePmSimulator sim = start(b -> b);

    HttpResponse<String> response = account(sim, KEY, signed("timestamp=" + sim.serverTime()));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .contains("application/json;charset=UTF-8");
    assertThat(response.headers().firstValue("X-MBX-USED-WEIGHT-1M")).contains("20");
    ZonedDateTime date =
        ZonedDateTime.parse(
            response.headers().firstValue("Date").orElseThrow(),
            DateTimeFormatter.RFC_1123_DATE_TIME);
    assertThat(Duration.between(date.toInstant(), Instant.now()).abs())
        .isLessThan(Duration.ofSeconds(5));
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("uniMMR").asText()).isEqualTo("1.50000000");
    assertThat(body.get("accountStatus").asText()).isEqualTo("NORMAL");
    assertThat(body.get("totalAvailableBalance").asText()).isEmpty();
    assertThat(body.get("updateTime").isIntegralNumber()).isTrue();
  }

  @Test
  void answersErrorsInBinancesJsonShape() throws Exception {
    BinancePmSimulator sim = start(b -> b);
    long now = sim.serverTime();

    HttpResponse<String> unknownKey = account(sim, "NobodysKey", signed("timestamp=" + now));
    HttpResponse<String> badSignature =
        account(sim, KEY, "timestamp=" + now + "&signature=" + "0".repeat(64));
    HttpResponse<String> missingTimestamp = account(sim, KEY, signed("recvWindow=5000"));
    HttpResponse<String> stale = account(sim, KEY, signed("timestamp=" + (now - 10_000)));

    assertThat(unknownKey.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(unknownKey.body()).get("code").asInt()).isEqualTo(-2015);
    assertThat(badSignature.statusCode()).isEqualTo(400);
    assertThat(badSignature.body())
        .isEqualTo("{\"code\":-1022,\"msg\":\"Signature for this request is not valid.\"}");
    assertThat(JSON.readTree(missingTimestamp.body()).get("code").asInt()).isEqualTo(-1102);
    assertThat(JSON.readTree(stale.body()).get("code").asInt()).isEqualTo(-1021);
    assertThat(stale.headers().firstValue("X-MBX-USED-WEIGHT-1M")).isPresent();
  }

  @Test
  void verifiesRsaAndEd25519SignaturesSentUrlEncoded() throws Exception {
    Scenario scenario =
        Scenario.combine(
            List.of(
                io.pmaccountstream.simulator.scenario.BuiltInScenarios.create(
                    "calm", 1, 3, KeyType.RSA),
                io.pmaccountstream.simulator.scenario.BuiltInScenarios.create(
                    "flapping", 1, 3, KeyType.ED25519)));
    BinancePmSimulator sim = start(b -> b.scenario(scenario));

    for (SimulatedAccount account : sim.accounts()) {
      String algorithm =
          account.credentials().keyType() == KeyType.RSA ? "SHA256withRSA" : "Ed25519";
      String payload = "recvWindow=5000&timestamp=" + sim.serverTime();
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(account.credentials().privateKey().orElseThrow());
      signer.update(payload.getBytes(StandardCharsets.UTF_8));
      String signature =
          URLEncoder.encode(
              Base64.getEncoder().encodeToString(signer.sign()), StandardCharsets.UTF_8);

      HttpResponse<String> response =
          account(sim, account.apiKey(), payload + "&signature=" + signature);

      assertThat(response.statusCode()).as(account.id()).isEqualTo(200);
    }
  }

  @Test
  void countsWeightAndEscalatesFrom429To418() throws Exception {
    TestClock clock = TestClock.at("2026-11-23T10:00:10Z");
    BinancePmSimulator sim = start(b -> b.clock(clock).weightLimit(100));
    List<Integer> statuses = new ArrayList<>();
    List<String> usedWeights = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      HttpResponse<String> response = account(sim, KEY, signed("timestamp=" + sim.serverTime()));
      statuses.add(response.statusCode());
      usedWeights.add(response.headers().firstValue("X-MBX-USED-WEIGHT-1M").orElse("?"));
      if (i == 5) {
        assertThat(response.headers().firstValue("Retry-After")).contains("50");
        assertThat(JSON.readTree(response.body()).get("code").asInt()).isEqualTo(-1003);
      }
    }
    HttpResponse<String> banned = account(sim, KEY, signed("timestamp=" + sim.serverTime()));

    assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429, 418);
    assertThat(usedWeights).containsExactly("20", "40", "60", "80", "100", "120", "140");
    assertThat(banned.statusCode()).isEqualTo(418);
    assertThat(banned.headers().firstValue("Retry-After")).contains("120");
    assertThat(sim.stats().count(RequestStats.ACCOUNT)).isEqualTo(8);
  }

  @Test
  void timeAndPingEndpointsAnswerFromTheSkewedClock() throws Exception {
    BinancePmSimulator sim = start(b -> b.clockSkew(Duration.ofSeconds(-30)));

    HttpResponse<String> time = get(sim, "/fapi/v1/time", null);
    HttpResponse<String> ping = get(sim, "/papi/v1/ping", null);

    long serverTime = JSON.readTree(time.body()).get("serverTime").asLong();
    assertThat(System.currentTimeMillis() - 30_000 - serverTime).isBetween(-2_000L, 2_000L);
    assertThat(time.headers().firstValue("X-MBX-USED-WEIGHT-1M")).contains("1");
    assertThat(ping.body()).isEqualTo("{}");
  }

  @Test
  void aResetFaultClosesTheConnectionAbortively() throws Exception {
    BinancePmSimulator sim =
        start(b -> b.faults(FaultConfig.none().withRate(Fault.CONNECTION_RESET, 1.0)));

    try (Socket socket = new Socket("127.0.0.1", sim.port())) {
      socket.setSoTimeout(5_000);
      sendAccountRequest(socket, sim, "keep-alive");
      InputStream in = socket.getInputStream();
      assertThatThrownBy(() -> readToEnd(in))
          .isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
    }
    assertThatThrownBy(() -> account(sim, KEY, signed("timestamp=" + sim.serverTime())))
        .isInstanceOf(IOException.class);
    assertThat(sim.stats().count(Fault.CONNECTION_RESET)).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aTruncatedBodyStopsShortOfItsContentLength() throws Exception {
    BinancePmSimulator sim =
        start(b -> b.faults(FaultConfig.none().withRate(Fault.TRUNCATED_BODY, 1.0)));

    try (Socket socket = new Socket("127.0.0.1", sim.port())) {
      socket.setSoTimeout(5_000);
      sendAccountRequest(socket, sim, "keep-alive");
      String response = new String(readToEnd(socket.getInputStream()), StandardCharsets.ISO_8859_1);
      int length = Integer.parseInt(response.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
      String body = response.substring(response.indexOf("\r\n\r\n") + 4);
      assertThat(response).startsWith("HTTP/1.1 200 OK");
      assertThat(body.length()).isEqualTo(length / 2);
    }
    assertThatThrownBy(() -> account(sim, KEY, signed("timestamp=" + sim.serverTime())))
        .isInstanceOf(IOException.class);
  }

  @Test
  void keepsConnectionsAliveAndHonoursConnectionClose() throws Exception {
    BinancePmSimulator sim = start(b -> b);

    try (Socket socket = new Socket("127.0.0.1", sim.port())) {
      socket.setSoTimeout(5_000);
      sendAccountRequest(socket, sim, "keep-alive");
      sendAccountRequest(socket, sim, "close");
      String both = new String(readToEnd(socket.getInputStream()), StandardCharsets.ISO_8859_1);
      assertThat(both.split("HTTP/1.1 200 OK", -1)).hasSize(3);
      assertThat(both).contains("Connection: close");
    }
  }

  @Test
  void answersAMalformedRequestWith400() throws Exception {
    BinancePmSimulator sim = start(b -> b);

    try (Socket socket = new Socket("127.0.0.1", sim.port())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write("NONSENSE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(readToEnd(socket.getInputStream()), StandardCharsets.ISO_8859_1);
      assertThat(response).startsWith("HTTP/1.1 400 Bad Request");
    }
  }

  @Test
  void latencyDelaysTheAnswer() throws Exception {
    BinancePmSimulator sim =
        start(
            b ->
                b.faults(
                    FaultConfig.none()
                        .withLatency(LatencyModel.fixed(Duration.ofMillis(150), Duration.ZERO))));

    long began = System.nanoTime();
    HttpResponse<String> response = account(sim, KEY, signed("timestamp=" + sim.serverTime()));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - began))
        .isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }

  @Test
  void aChangeIsReportedServedWhenAClientReadsIt() throws Exception {
    BinancePmSimulator sim = start(b -> b);
    Change change = sim.account("alice").set(new BigDecimal("1.1"), "REDUCE_ONLY");

    HttpResponse<String> response = account(sim, KEY, signed("timestamp=" + sim.serverTime()));

    assertThat(JSON.readTree(response.body()).get("accountStatus").asText())
        .isEqualTo("REDUCE_ONLY");
    Instant servedAt = change.served().get(5, TimeUnit.SECONDS);
    assertThat(servedAt.toEpochMilli()).isGreaterThanOrEqualTo(change.state().updateTime());
    assertThat(sim.account("alice").servedCount()).isEqualTo(1);
  }

  @Test
  void servesAThousandAccountsConcurrently() throws Exception {
    BinancePmSimulator sim = start(b -> b.scenario("many").accounts(1000).weightLimit(1_000_000));
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (SimulatedAccount account : sim.accounts()) {
        String secret = account.credentials().hmacSecret().orElseThrow().reveal();
        results.add(
            pool.submit(
                () -> {
                  String payload = "timestamp=" + sim.serverTime();
                  String query =
                      payload + "&signature=" + SignatureVerifier.HmacSha256.sign(secret, payload);
                  return account(sim, account.apiKey(), query).statusCode();
                }));
      }
      for (Future<Integer> result : results) {
        assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(sim.stats().count(RequestStats.ACCOUNT, 200)).isEqualTo(1000);
    assertThat(sim.accounts()).allSatisfy(a -> assertThat(a.servedCount()).isEqualTo(1));
  }

  private BinancePmSimulator start(UnaryOperator<BinancePmSimulator.Builder> options) {
    Scenario scenario =
        Scenario.of(
            AccountSpec.builder("alice", Credentials.hmac(KEY, Secret.of(SECRET)))
                .uniMmr("1.5")
                .accountMaintMargin("1000")
                .build());
    BinancePmSimulator sim = options.apply(BinancePmSimulator.builder().scenario(scenario)).build();
    started.add(sim);
    return sim.start();
  }

  private static String signed(String payload) {
    return payload + "&signature=" + SignatureVerifier.HmacSha256.sign(SECRET, payload);
  }

  private HttpResponse<String> account(BinancePmSimulator sim, String apiKey, String query)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/papi/v1/account?" + query))
            .header("X-MBX-APIKEY", apiKey)
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(BinancePmSimulator sim, String path, String apiKey)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).timeout(Duration.ofSeconds(10));
    if (apiKey != null) {
      request.header("X-MBX-APIKEY", apiKey);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void sendAccountRequest(Socket socket, BinancePmSimulator sim, String connection)
      throws IOException {
    String request =
        "GET /papi/v1/account?"
            + signed("timestamp=" + sim.serverTime())
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-MBX-APIKEY: "
            + KEY
            + "\r\nConnection: "
            + connection
            + "\r\n\r\n";
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static byte[] readToEnd(InputStream in) throws IOException {
    return in.readAllBytes();
  }
}
