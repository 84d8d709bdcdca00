package io.pmaccountstream.binance;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.binance.FetchOutcome.Failure;
import io.pmaccountstream.binance.FetchOutcome.Success;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.testing.TestClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rows of docs/reliability.md that need real HTTP, against WireMock on 127.0.0.1: hostile
 * headers, hostile bodies, answers that look fatal, slow bodies. Each test is named after its row.
 */
class HostileAnswersIT {

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
  void dateHeader_in1960NeitherBansNorStopsAnyRequest() {
    stubScenario(okAccount().withHeader("Date", "Fri, 01 Jan 1960 00:00:00 GMT"), okAccount());
    client = client(Map.of());

    success(client.fetchAccount(TestKeys.docAccount("alice")));
    success(client.fetchAccount(TestKeys.docAccount("bob")));

    assertThat(binance.accountRequests()).isEqualTo(2);
    assertThat(client.ipBannedUntil()).isEmpty();
    assertThat(client.serverClock().offset()).isBetween(Duration.ofMillis(-999), Duration.ZERO);
    assertThat(counter("pmas.binance.clock.samples.rejected", "reason", "implausible"))
        .isEqualTo(1);
  }

  @Test
  void dateHeader_farInTheFutureMovesNeitherTheClockNorTheWeightMinute() {
    stubScenario(
        okAccount()
            .withHeader("Date", "Fri, 01 Jan 2100 00:00:00 GMT")
            .withHeader("X-MBX-USED-WEIGHT-1M", "100"),
        okAccount());
    client = client(Map.of());

    success(client.fetchAccount(TestKeys.docAccount("alice")));
    assertThat(client.health().usedWeight1m()).isEqualTo(100);
    time.advance(Duration.ofMinutes(1));

    assertThat(client.health().usedWeight1m()).as("the minute rolled on our clock").isZero();
    success(client.fetchAccount(TestKeys.docAccount("alice")));
    assertThat(client.serverClock().offset()).isBetween(Duration.ofMillis(-999), Duration.ZERO);
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void dateHeader_garbageIsIgnoredAndCounted() {
    stubAccount(okAccount().withHeader("Date", "the day after tomorrow"));
    client = client(Map.of());

    success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(counter("pmas.binance.headers.ignored", "header", "Date")).isEqualTo(1);
  }

  @Test
  void retryAfterHeader_aHuge429PauseIsCappedAtTheConfiguredMaximum() {
    stubScenario(rateLimited().withHeader("Retry-After", "999999999"), okAccount());
    client = client(Map.of("binance.rate.limit.max.pause", "90s"));

    Success success = success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(success.meta().attempts()).isEqualTo(2);
    assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(90));
  }

  @Test
  void retryAfterHeader_aHuge418BanIsCappedAtThreeDays() {
    stubAccount(
        aResponse()
            .withStatus(418)
            .withHeader("Retry-After", "999999999")
            .withBody("{\"code\":-1003,\"msg\":\"banned\"}"));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.IP_BANNED);
    assertThat(client.ipBannedUntil()).contains(time.instant().plus(Duration.ofDays(3)));
  }

  @Test
  void retryAfterHeader_negativeIsIgnoredAndTheDefaultUsed() {
    stubScenario(rateLimited().withHeader("Retry-After", "-5"), okAccount());
    client = client(Map.of());

    success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(time.sleeps()).as("until the next minute").containsExactly(Duration.ofSeconds(55));
    assertThat(counter("pmas.binance.headers.ignored", "header", "Retry-After")).isEqualTo(1);
  }

  @Test
  void retryAfterHeader_anHttpDateIsRelativeToTheResponsesDate() {
    stubScenario(
        rateLimited()
            .withHeader("Date", "Mon, 23 Nov 2026 10:00:05 GMT")
            .withHeader("Retry-After", "Mon, 23 Nov 2026 10:00:15 GMT"),
        okAccount());
    client = client(Map.of());

    success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(10));
  }

  @Test
  void usedWeightHeader_garbageIsIgnoredAndCounted() {
    stubAccount(okAccount().withHeader("X-MBX-USED-WEIGHT-1M", "999999999"));
    client = client(Map.of());

    Success success = success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(success.meta().usedWeight1m()).isEmpty();
    assertThat(client.health().usedWeight1m()).as("our own reservation only").isEqualTo(20);
    assertThat(counter("pmas.binance.headers.ignored", "header", "X-MBX-USED-WEIGHT-1M"))
        .isEqualTo(1);
  }

  @Test
  void duplicateKeys_areABadPayloadAndTheNextAnswerIsRead() {
    String duplicated =
        ACCOUNT_JSON.replace("\"accountStatus\"", "\"uniMMR\": \"0.5\", \"accountStatus\"");
    stubScenario(okAccount().withBody(duplicated), okAccount());
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));
    success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.BAD_PAYLOAD);
    assertThat(failure.message())
        .isEqualTo("HTTP 200: the body repeats a key (Duplicate field 'uniMMR')");
    assertThat(failure.rawBody()).contains(duplicated);
  }

  @Test
  void decimalScale_nineDecimalPlacesAreABadPayloadNotAnException() {
    stubAccount(okAccount().withBody(ACCOUNT_JSON.replace("\"73.47428058\"", "\"1.123456789\"")));
    client = client(Map.of());

    Failure nine = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(nine.kind()).isEqualTo(FailureKind.BAD_PAYLOAD);
    assertThat(nine.message())
        .isEqualTo("HTTP 200: actualEquity has 9 decimal places (at most 8): \"1.123456789\"");

    stubAccount(okAccount().withBody(ACCOUNT_JSON.replace("\"73.47428058\"", "1e-9")));
    Failure number = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(number.kind()).isEqualTo(FailureKind.BAD_PAYLOAD);
    assertThat(number.message())
        .isEqualTo("HTTP 200: actualEquity is not a decimal string but the number \"1e-9\"");
    assertThat(counter("pmas.binance.fetches", "outcome", "bad_payload")).isEqualTo(2);
  }

  @Test
  void answersThatLookFatal_aRedirectIsNeverFollowedAndNotBlamedOnTheKey() {
    stubAccount(
        aResponse().withStatus(302).withHeader("Location", binance.baseUrl() + "/elsewhere"));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.FATAL_CONFIG);
    assertThat(failure.accountFailed()).isFalse();
    assertThat(failure.httpStatus()).hasValue(302);
    assertThat(failure.advice()).contains("never followed");
    binance.wireMock().verify(0, getRequestedFor(urlPathEqualTo("/elsewhere")));
  }

  @Test
  void answersThatLookFatal_a403IsAWafLimitNotAnAuthFailure() {
    stubAccount(aResponse().withStatus(403).withBody("<html>Forbidden</html>"));
    client = client(Map.of());

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.FATAL_CONFIG);
    assertThat(failure.accountFailed()).isFalse();
    assertThat(failure.message()).isEqualTo("HTTP 403");
    assertThat(failure.advice()).contains("WAF limit was violated");
    assertThat(binance.accountRequests()).isEqualTo(1);
  }

  @Test
  void responseDeadline_aDrippingBodyIsCutAndRetriedAsATimeout() {
    stubScenario(okAccount().withChunkedDribbleDelay(40, 20_000), okAccount());
    client = client(Map.of("binance.response.deadline", "1s"));

    Success success = success(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(success.meta().attempts()).isEqualTo(2);
    assertThat(registry.get("pmas.binance.requests").tag("status", "io_error").timer().count())
        .isEqualTo(1);
  }

  @Test
  void responseDeadline_aBodyThatAlwaysDripsEndsAsARetriableTimeout() {
    stubAccount(okAccount().withChunkedDribbleDelay(40, 20_000));
    client =
        client(Map.of("binance.response.deadline", "500ms", "binance.retry.max.attempts", "2"));

    Failure failure = failure(client.fetchAccount(TestKeys.docAccount("alice")));

    assertThat(failure.kind()).isEqualTo(FailureKind.RETRIES_EXHAUSTED);
    assertThat(failure.message())
        .contains("no complete response within binance.response.deadline (500 ms)");
  }

  private double counter(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
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
    return new BinanceAccountClient(config, registry, time, time);
  }

  private static ResponseDefinitionBuilder okAccount() {
    return aResponse()
        .withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withBody(ACCOUNT_JSON);
  }

  private static ResponseDefinitionBuilder rateLimited() {
    return aResponse().withStatus(429).withBody("{\"code\":-1003,\"msg\":\"Too many requests.\"}");
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
}
