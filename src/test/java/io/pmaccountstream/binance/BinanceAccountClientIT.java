package io.pmaccountstream.binance;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.binance.FetchOutcome.Failure;
import io.pmaccountstream.binance.FetchOutcome.Success;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client against WireMock on 127.0.0.1: real HTTP, Binance's answers and faults. */
class BinanceAccountClientIT {

  private static final String ACCOUNT_JSON = AccountInfoParserTest.DOC_EXAMPLE;
  private static WireMockBinance binance;

  private TestClock time;
  private SimpleMeterRegistry registry;
  private BinanceAccountClient client;

  @BeforeAll
  static void startWireMock() {
    binance = new WireMockBinance();
  }

  @AfterAll
  static void stopWireMock() {
    binance.close();
  }

  @BeforeEach
  void freshServerAndTime() {
    time = TestClock.at("2026-11-23T10:00:05Z");
    binance.reset(time, Duration.ZERO);
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void readsTheAccountExactlyAndTheUsedWeight() {
    stubAccount(okAccount().withHeader("X-MBX-USED-WEIGHT-1M", "40"));
    client = client(Map.of());

    Success success = success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(success.account()).isEqualTo(AccountInfoParserTest.parse(ACCOUNT_JSON));
    assertThat(success.meta().usedWeight1m()).hasValue(40);
    assertThat(success.meta().attempts()).isEqualTo(1);
    assertThat(success.meta().receivedAt()).isEqualTo(time.instant());
    assertThat(client.health().usedWeight1m()).isEqualTo(40);
    binance
        .wireMock()
        .verify(
            getRequestedFor(urlPathEqualTo(WireMockBinance.ACCOUNT_PATH))
                .withHeader("X-MBX-APIKEY", equalTo(TestKeys.DOC_API_KEY)));
    assertThat(registry.get("pmas.binance.fetches").tag("outcome", "success").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("pmas.binance.requests").tag("status", "200").timer().count())
        .isEqualTo(1);
  }

  @Test
  void sendsTheExactSignedQueryOnAFixedClock() {
    time = new TestClock(Instant.ofEpochMilli(1499827319559L));
    binance.reset(time, Duration.ZERO);
    // An updateTime before this 2017 clock: a later one would be outside the input policy.
    stubAccount(okAccount().withBody(ACCOUNT_JSON.replace("1657707212154", "1499827310000")));
    client = client(Map.of());

    success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(binance.accountQueries())
        .containsExactly(
            "recvWindow=5000&timestamp=1499827319559"
                + "&signature=82f4e72e95e63d666b6da651e82a701722ad8a785a169318d91f36f279c55821");
  }

  @Test
  void rsaAndEd25519KeysAreAcceptedByTheirPublicKeys() {
    stubAccount(okAccount());
    client = client(Map.of());
    for (String algorithm : List.of("RSA", "Ed25519")) {
      KeyPair pair = TestKeys.generate(algorithm);
      String apiKey = "key-" + algorithm;
      binance.acceptKey(
          apiKey, (payload, signature) -> verifies(algorithm, pair, payload, signature));
      AccountCredentials account =
          new AccountCredentials(
              algorithm,
              Secret.of(apiKey),
              RequestSigner.fromKeyMaterial(Secret.of(TestKeys.pkcs8Pem(pair))));

      success(client.fetchAccount(account));
    }
  }

  @Test
  void aTransientMinus1001IsRetriedWithGrowingBackoffUntilTheAttemptsRunOut() {
    stubAccount(binanceError(400, -1001, "Internal error; unable to process your request."));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.RETRIES_EXHAUSTED);
    assertThat(failure.binanceCode()).contains(-1001);
    assertThat(failure.httpStatus()).hasValue(400);
    assertThat(failure.accountFailed()).isFalse();
    assertThat(binance.accountRequests()).isEqualTo(3);
    assertThat(time.sleeps()).hasSize(2);
    assertThat(time.sleeps().get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(time.sleeps().get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(binance.accountQueries())
        .as("each attempt is signed afresh")
        .doesNotHaveDuplicates();
  }

  @Test
  void minus1003IsARateLimitThatPausesUntilTheNextMinute() {
    stubAccount(binanceError(400, -1003, "Too many requests; current limit is 6000 per minute."));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.RATE_LIMITED);
    assertThat(failure.binanceCode()).contains(-1003);
    assertThat(binance.accountRequests()).isEqualTo(3);
    assertThat(time.sleeps()).first().isEqualTo(Duration.ofSeconds(55));
  }

  @Test
  void minus1021ThatPersistsIsAClockSkewAfterOneImmediateResync() {
    stubAccount(
        binanceError(400, -1021, "Timestamp for this request is outside of the recvWindow."));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.CLOCK_SKEW);
    assertThat(failure.advice()).contains("NTP");
    assertThat(binance.accountRequests())
        .as("one immediate retry, then the 3 attempts")
        .isEqualTo(4);
    assertThat(time.sleeps()).hasSize(2);
  }

  @ParameterizedTest(name = "code {0}")
  @ValueSource(ints = {-1022, -2014, -2015})
  void credentialErrorsFailTheAccountAtOnceWithoutRetrying(int code) {
    stubAccount(binanceError(400, code, "Binance says no."));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.FATAL_CONFIG);
    assertThat(failure.accountFailed()).isTrue();
    assertThat(failure.binanceCode()).contains(code);
    assertThat(failure.message()).contains("HTTP 400", "Binance code " + code, "Binance says no.");
    assertThat(binance.accountRequests()).isEqualTo(1);
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void aWrongSecretIsCaughtByBinanceAsMinus1022() {
    stubAccount(okAccount());
    client = client(Map.of());
    AccountCredentials wrongSecret =
        new AccountCredentials(
            "alice",
            Secret.of(TestKeys.DOC_API_KEY),
            new HmacSha256Signer(Secret.of("not-the-secret")));

    Failure failure = failure(client.fetchAccount(wrongSecret));

    assertThat(failure.binanceCode()).contains(-1022);
    assertThat(failure.advice()).contains("secret or private key");
  }

  @Test
  void a429PausesForRetryAfterThenSucceeds() {
    stubScenario(
        aResponse()
            .withStatus(429)
            .withHeader("Retry-After", "3")
            .withBody("{\"code\":-1003,\"msg\":\"Too many requests.\"}"),
        okAccount());
    client = client(Map.of());

    Success success = success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(success.meta().attempts()).isEqualTo(2);
    assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(3));
    assertThat(client.health().allowedWeight1m()).isEqualTo(2400);
    assertThat(registry.get("pmas.binance.rate.limited").counter().count()).isEqualTo(1);
  }

  @Test
  void a418StopsEveryAccountUntilRetryAfterPasses() {
    stubScenario(
        aResponse()
            .withStatus(418)
            .withHeader("Retry-After", "120")
            .withBody("{\"code\":-1003,\"msg\":\"Way too many requests; IP banned until 1.\"}"),
        okAccount());
    client = client(Map.of());

    Failure banned = failure(client.fetchAccount(TestKeys.docAccount("alice")));
    Failure bobWaits = failure(client.fetchAccount(TestKeys.docAccount("bob")));

    assertThat(banned.kind()).isEqualTo(FailureKind.IP_BANNED);
    assertThat(banned.httpStatus()).hasValue(418);
    assertThat(bobWaits.kind()).isEqualTo(FailureKind.IP_BANNED);
    assertThat(bobWaits.httpStatus()).isEmpty();
    assertThat(bobWaits.message()).contains("no request sent");
    assertThat(binance.accountRequests()).isEqualTo(1);
    assertThat(client.ipBannedUntil()).contains(time.instant().plusSeconds(120));
    assertThat(client.health().ready()).isFalse();
    assertThat(registry.get("pmas.binance.ip.banned").gauge().value()).isEqualTo(1);
    assertThat(time.sleeps()).isEmpty();

    time.advance(Duration.ofSeconds(121));

    success(client.fetchAccount(TestKeys.docAccount("bob")));
    assertThat(client.health().ready()).isTrue();
  }

  @Test
  void a500IsRetriedAndTheNextAnswerCounts() {
    stubScenario(aResponse().withStatus(500).withBody("oops"), okAccount());
    client = client(Map.of());

    Success success = success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(success.meta().attempts()).isEqualTo(2);
    assertThat(time.sleeps()).hasSize(1);
  }

  @Test
  void a503UnknownThatPersistsExhaustsTheRetries() {
    stubAccount(binanceError(503, -1001, "Service Unavailable."));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.RETRIES_EXHAUSTED);
    assertThat(failure.httpStatus()).hasValue(503);
    assertThat(binance.accountRequests()).isEqualTo(3);
  }

  @Test
  void aResponseSlowerThanTheTimeoutIsRetried() {
    stubScenario(okAccount().withFixedDelay(3_000), okAccount());
    client = client(Map.of("binance.response.timeout", "300ms"));

    Success success = success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(success.meta().attempts()).isEqualTo(2);
  }

  @Test
  void aResponseAlwaysSlowerThanTheTimeoutExhaustsTheRetries() {
    stubAccount(okAccount().withFixedDelay(3_000));
    client = client(Map.of("binance.response.timeout", "200ms", "binance.retry.max.attempts", "2"));

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.RETRIES_EXHAUSTED);
    assertThat(failure.httpStatus()).isEmpty();
    assertThat(failure.message()).containsIgnoringCase("timed out");
    assertThat(registry.get("pmas.binance.requests").tag("status", "io_error").timer().count())
        .isEqualTo(2);
  }

  @Test
  void aConnectionResetIsRetried() {
    stubScenario(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), okAccount());
    client = client(Map.of());

    assertThat(success(client.fetchAccount(TestKeys.docAccount("alice"))).meta().attempts())
        .isEqualTo(2);
  }

  @Test
  void connectionResetsThatPersistExhaustTheRetries() {
    stubAccount(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.RETRIES_EXHAUSTED);
    assertThat(failure.message()).startsWith("no HTTP response");
  }

  @Test
  void malformedJsonIsABadPayloadWithTheRawBody() {
    String body = "{\"uniMMR\": \"5167.92171923\", \"accountEquity\": ";
    stubAccount(aResponse().withStatus(200).withBody(body));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.BAD_PAYLOAD);
    assertThat(failure.rawBody()).contains(body);
    assertThat(failure.message()).contains("HTTP 200", "not JSON");
    assertThat(binance.accountRequests()).isEqualTo(1);
  }

  @Test
  void anHtmlPageIsABadPayloadWithTheRawBody() {
    String html = "<html><head><title>Login</title></head><body>Please sign in</body></html>";
    stubAccount(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody(html));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.BAD_PAYLOAD);
    assertThat(failure.rawBody()).contains(html);
  }

  @Test
  void anHtmlErrorPageIsClassifiedByItsStatus() {
    stubAccount(aResponse().withStatus(502).withBody("<html><body>Bad Gateway</body></html>"));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.RETRIES_EXHAUSTED);
    assertThat(failure.binanceCode()).isEmpty();
    assertThat(failure.rawBody()).hasValueSatisfying(b -> assertThat(b).contains("Bad Gateway"));
  }

  @Test
  void aBodyLargerThanTheCapIsCutAndTheConnectionDropped() {
    String huge = "{\"pad\":\"" + "x".repeat(8 * 1024 * 1024) + "\"}";
    stubScenario(aResponse().withStatus(200).withBody(huge), okAccount());
    client = client(Map.of("binance.max.body.bytes", "4096"));

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));
    Success next = success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.BAD_PAYLOAD);
    assertThat(failure.message()).contains("larger than binance.max.body.bytes (4096 bytes)");
    assertThat(failure.rawBody()).hasValueSatisfying(b -> assertThat(b).hasSize(4096));
    assertThat(next.meta().attempts()).isEqualTo(1);
  }

  @Test
  void aServerClockThreeSecondsAheadIsFollowedFromTheDateHeaderAfterOneRejection() {
    binance.reset(time, Duration.ofSeconds(3));
    stubAccount(okAccount());
    client = client(Map.of("binance.recv.window", "2s"));

    Success success = success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(success.meta().attempts()).isEqualTo(2);
    assertThat(client.serverClock().offset())
        .isBetween(Duration.ofMillis(2000), Duration.ofMillis(3000));
    assertThat(time.sleeps()).as("the retry after a re-sync is immediate").isEmpty();
    success(client.fetchAccount(TestKeys.docAccount("bob")));
    assertThat(binance.accountRequests()).as("the next account is right first time").isEqualTo(3);
  }

  @Test
  void aServerClockThreeSecondsAheadIsMeasuredAtTheTimeEndpointBeforeTheFirstRequest() {
    binance.reset(time, Duration.ofSeconds(3));
    stubAccount(okAccount());
    client =
        client(
            Map.of("binance.recv.window", "2s", "binance.time.url", binance.timeUrl().toString()));

    Success success = success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(success.meta().attempts()).isEqualTo(1);
    assertThat(client.serverClock().offset()).isEqualTo(Duration.ofSeconds(3));
    assertThat(client.health().lastClockSync()).contains(time.instant());
  }

  @Test
  void aServerClockThreeSecondsBehindIsFollowedAfterOneRejection() {
    binance.reset(time, Duration.ofSeconds(-3));
    stubAccount(okAccount());
    client = client(Map.of());

    Success success = success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(success.meta().attempts()).isEqualTo(2);
    assertThat(client.serverClock().offset())
        .isBetween(Duration.ofMillis(-4000), Duration.ofMillis(-3000));
  }

  @Test
  void aClockThatJumpsLaterIsCaughtUpByTheNextResync() {
    stubAccount(okAccount());
    client =
        client(
            Map.of(
                "binance.time.url",
                binance.timeUrl().toString(),
                "binance.clock.resync.interval",
                "1m"));
    success(client.fetchAccount(TestKeys.docAccount("alice")));

    binance.reset(time, Duration.ofMillis(2500));
    stubAccount(okAccount());
    time.advance(Duration.ofMinutes(2));

    success(client.fetchAccount(TestKeys.docAccount("alice")));
    assertThat(client.serverClock().offset()).isEqualTo(Duration.ofMillis(2500));
    assertThat(binance.accountRequests()).isEqualTo(1);
  }

  @Test
  void manyAccountsOnAWorkerPoolShareOneBudget() throws Exception {
    stubAccount(okAccount());
    client = client(Map.of());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<FetchOutcome>> fetches = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        AccountCredentials account = TestKeys.docAccount("acct-" + i);
        fetches.add(() -> client.fetchAccount(account));
      }
      for (Future<FetchOutcome> outcome : pool.invokeAll(fetches)) {
        assertThat(outcome.get()).isInstanceOf(Success.class);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(client.health().usedWeight1m()).isEqualTo(800);
    assertThat(binance.accountRequests()).isEqualTo(40);
  }

  @Test
  void anInterruptedFetchSaysSoAndKeepsTheInterrupt() {
    stubAccount(binanceError(503, -1001, "busy"));
    client = client(Map.of());
    Thread.currentThread().interrupt();
    try {
      Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

      assertThat(failure.kind()).isEqualTo(FailureKind.INTERRUPTED);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  private BinanceAccountClient client(Map<String, String> overrides) {
    Map<String, String> flags = new HashMap<>();
    flags.put("binance.base.url", binance.baseUrl().toString());
    flags.put("binance.connect.timeout", "1s");
    flags.put("binance.response.timeout", "2s");
    flags.put("binance.retry.max.attempts", "3");
    flags.put("binance.retry.initial.backoff", "100ms");
    flags.put("binance.retry.max.backoff", "1s");
    flags.put("binance.weight.max.wait", "2m");
    flags.putAll(overrides);
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));
    BinanceClientConfig config = BinanceClientConfig.from(reader);
    reader.throwIfProblems();
    return new BinanceAccountClient(config, registry, time, time);
  }

  private static ResponseDefinitionBuilder okAccount() {
    return aResponse()
        .withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withBody(ACCOUNT_JSON);
  }

  private static ResponseDefinitionBuilder binanceError(int status, int code, String msg) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"code\":" + code + ",\"msg\":\"" + msg + "\"}");
  }

  private static void stubAccount(ResponseDefinitionBuilder response) {
    binance
        .wireMock()
        .stubFor(get(urlPathEqualTo(WireMockBinance.ACCOUNT_PATH)).willReturn(response));
  }

  /** {@code first} for the first request, {@code then} for every later one. */
  private static void stubScenario(
      ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
    binance
        .wireMock()
        .stubFor(
            get(urlPathEqualTo(WireMockBinance.ACCOUNT_PATH))
                .inScenario("first-then")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(first)
                .willSetStateTo("then"));
    binance
        .wireMock()
        .stubFor(
            get(urlPathEqualTo(WireMockBinance.ACCOUNT_PATH))
                .inScenario("first-then")
                .whenScenarioStateIs("then")
                .willReturn(then));
  }

  private static Success success(FetchOutcome outcome) {
    assertThat(outcome).isInstanceOf(Success.class);
    return (Success) outcome;
  }

  private static Failure failure(FetchOutcome outcome) {
    assertThat(outcome).isInstanceOf(Failure.class);
    return (Failure) outcome;
  }

  private static boolean verifies(
      String algorithm, KeyPair pair, String payload, String signature) {
    try {
      Signature verifier =
          Signature.getInstance(algorithm.equals("RSA") ? "SHA256withRSA" : "Ed25519");
      verifier.initVerify(pair.getPublic());
      verifier.update(payload.getBytes(StandardCharsets.UTF_8));
      return verifier.verify(Base64.getDecoder().decode(signature));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
