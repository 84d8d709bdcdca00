package io.pmaccountstream.binance.userdata;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.BinanceAccountClient;
import io.pmaccountstream.binance.BinanceClientConfig;
import io.pmaccountstream.binance.FetchOutcome;
import io.pmaccountstream.binance.RequestSigner;
import io.pmaccountstream.binance.ServerClock;
import io.pmaccountstream.binance.Sleeper;
import io.pmaccountstream.binance.WeightBudget;
import io.pmaccountstream.binance.userdata.ListenKeyClient.Answer;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.testing.TestClock;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The listenKey requests against Binance's answers (WireMock on 127.0.0.1). */
class ListenKeyClientTest {

  private static final String PATH = "/papi/v1/listenKey";
  private static final Instant T = Instant.parse("2026-11-23T10:00:05Z");
  private static final String T_HTTP = "Mon, 23 Nov 2026 10:00:05 GMT";

  /** Binance's documented shortest ban, the one a 418 without a usable Retry-After gets. */
  private static final Duration MIN_BAN = Duration.ofMinutes(2);

  private static final String KEY =
      "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1";

  private final WireMockServer binance =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AccountCredentials account =
      new AccountCredentials(
          "alice", Secret.of("AliceKey0123"), RequestSigner.fromKeyMaterial(Secret.of("s")));
  private BinanceClientConfig config;
  private WeightBudget budget;
  private ListenKeyClient client;

  @BeforeEach
  void start() {
    binance.start();
    config =
        BinanceClientConfig.from(
            new ConfigReader(
                Settings.ofFlags(
                    Map.of("binance.base.url", binance.baseUrl(), "binance.time.url", "none"))));
    budget =
        new WeightBudget(
            6000,
            new BigDecimal("0.8"),
            new ServerClock(Clock.systemUTC(), registry),
            Sleeper.SYSTEM,
            registry);
    client = new ListenKeyClient(HttpClient.newHttpClient(), config, budget, registry);
  }

  @AfterEach
  void stop() {
    binance.stop();
  }

  @Test
  void postSendsTheApiKeyAloneAndReadsTheKey() {
    binance.stubFor(
        any(urlPathEqualTo(PATH))
            .willReturn(aResponse().withStatus(200).withBody("{\"listenKey\":\"" + KEY + "\"}")));

    Answer answer = client.create(account);

    assertThat(answer).isEqualTo(new Answer.Key(KEY));
    binance.verify(
        anyRequestedFor(urlPathEqualTo(PATH))
            .withHeader("X-MBX-APIKEY", equalTo("AliceKey0123"))
            .withQueryParam("signature", absent())
            .withQueryParam("timestamp", absent()));
    assertThat(binance.getAllServeEvents().get(0).getRequest().getMethod().getName())
        .isEqualTo("POST");
    assertThat(budget.usedWeight()).isEqualTo(1);
  }

  @Test
  void minus1125IsNoSuchKey() {
    binance.stubFor(
        any(urlPathEqualTo(PATH))
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withBody("{\"code\":-1125,\"msg\":\"This listenKey does not exist.\"}")));

    assertThat(client.keepAlive(account)).isEqualTo(new Answer.NoSuchKey());
    assertThat(client.close(account)).isEqualTo(new Answer.NoSuchKey());
  }

  @Test
  void putAndDeleteAreDoneOnAnEmptyObject() {
    binance.stubFor(
        any(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("{}")));

    assertThat(client.keepAlive(account)).isEqualTo(new Answer.Done());
    assertThat(client.close(account)).isEqualTo(new Answer.Done());
    assertThat(binance.getAllServeEvents())
        .extracting(e -> e.getRequest().getMethod().getName())
        .containsExactlyInAnyOrder("PUT", "DELETE");
  }

  @Test
  void a429PausesTheSharedBudgetAndIsAFailure() {
    binance.stubFor(
        any(urlPathEqualTo(PATH))
            .willReturn(
                aResponse()
                    .withStatus(429)
                    .withHeader("Retry-After", "30")
                    .withBody("{\"code\":-1003,\"msg\":\"Too much request weight used\"}")));

    Answer answer = client.create(account);

    assertThat(answer).isInstanceOf(Answer.Failed.class);
    assertThat(((Answer.Failed) answer).reason()).startsWith("HTTP 429 code -1003");
    assertThat(budget.rateLimitedUntil()).isPresent();
    assertThat(client.create(account))
        .isInstanceOf(Answer.Failed.class)
        .extracting(a -> ((Answer.Failed) a).reason())
        .asString()
        .startsWith("not sent: RATE_LIMITED");
    assertThat(binance.getAllServeEvents()).hasSize(1);
  }

  @Test
  void a418WithRetryAfterZeroBansForTheMinimumAsOnTheAccountPath() {
    Bans bans =
        bothPathsAnswer(
            aResponse()
                .withStatus(418)
                .withHeader("Retry-After", "0")
                .withBody("{\"code\":-1003,\"msg\":\"Way too many requests; IP banned.\"}"));

    assertThat(bans.listenKeyPath()).isEqualTo(bans.accountPath()).contains(T.plus(MIN_BAN));
  }

  @Test
  void a418WithAnHttpDateRetryAfterBansUntilThatDateAsOnTheAccountPath() {
    Bans bans =
        bothPathsAnswer(
            aResponse()
                .withStatus(418)
                .withHeader("Date", T_HTTP)
                .withHeader("Retry-After", "Mon, 23 Nov 2026 10:10:05 GMT")
                .withBody("{\"code\":-1003,\"msg\":\"Way too many requests; IP banned.\"}"));

    assertThat(bans.listenKeyPath())
        .isEqualTo(bans.accountPath())
        .contains(T.plus(Duration.ofMinutes(10)));
  }

  @Test
  void anAnswerWithoutAKeyIsAFailureNotAKey() {
    binance.stubFor(
        any(urlPathEqualTo(PATH))
            .willReturn(aResponse().withStatus(200).withBody("{\"listenKey\":\"\"}")));

    assertThat(client.create(account))
        .isEqualTo(new Answer.Failed("HTTP 200 without a listenKey (BAD_PAYLOAD)"));
  }

  @Test
  void aTransportErrorIsAFailure() {
    binance.stop();

    assertThat(client.create(account)).isInstanceOf(Answer.Failed.class);
  }

  /** When the IP ban ends after the same answer to a listenKey POST and to an account GET. */
  private record Bans(Optional<Instant> listenKeyPath, Optional<Instant> accountPath) {}

  /**
   * Sends one listenKey POST and one account GET, each with a budget of its own on a clock fixed at
   * {@link #T}, and both answered with {@code answer}.
   */
  private Bans bothPathsAnswer(ResponseDefinitionBuilder answer) {
    binance.stubFor(any(urlPathEqualTo(PATH)).willReturn(answer));
    binance.stubFor(get(urlPathEqualTo("/papi/v1/account")).willReturn(answer));
    TestClock time = new TestClock(T);
    SimpleMeterRegistry listenKeyRegistry = new SimpleMeterRegistry();
    WeightBudget listenKeyBudget =
        new WeightBudget(
            6000,
            new BigDecimal("0.8"),
            new ServerClock(time, listenKeyRegistry),
            time,
            listenKeyRegistry);
    ListenKeyClient listenKeys =
        new ListenKeyClient(HttpClient.newHttpClient(), config, listenKeyBudget, listenKeyRegistry);

    assertThat(listenKeys.create(account)).isInstanceOf(Answer.Failed.class);
    try (BinanceAccountClient accounts =
        new BinanceAccountClient(config, new SimpleMeterRegistry(), time, time)) {
      assertThat(accounts.fetchAccount(account)).isInstanceOf(FetchOutcome.Failure.class);
      return new Bans(listenKeyBudget.ipBannedUntil(), accounts.ipBannedUntil());
    }
  }
}
