package io.pmaccountstream.binance;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.binance.FetchOutcome.Failure;
import io.pmaccountstream.binance.FetchOutcome.Success;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The "connection pool" row of docs/reliability.md: 32 answers that drip for a minute each, as many
 * as the poll workers ({@code poll.max.concurrent}) and the pooled connections, hold every worker;
 * an account queued behind them is still read within seconds, because each dripper is cut at {@code
 * binance.response.deadline}. Its own WireMock, so that the dripping server threads cannot slow
 * other tests. Generous durations: the machine may be loaded.
 */
class ResponseDeadlineIT {

  private static final String DRIPPER_KEY = "dripper-api-key";
  private static final int DRIPPERS = 32;

  @Test
  void responseDeadline_thirtyTwoDrippersDoNotStallTheOtherAccounts() throws Exception {
    FakeTime time = FakeTime.startingAt5sPastTheMinute();
    try (WireMockBinance binance = new WireMockBinance()) {
      binance.reset(time, Duration.ZERO);
      binance.acceptHmacKey(DRIPPER_KEY, TestKeys.DOC_SECRET);
      binance
          .wireMock()
          .stubFor(
              get(urlPathEqualTo(WireMockBinance.ACCOUNT_PATH))
                  .atPriority(1)
                  .withHeader("X-MBX-APIKEY", equalTo(DRIPPER_KEY))
                  .willReturn(okAccount().withChunkedDribbleDelay(120, 60_000)));
      binance
          .wireMock()
          .stubFor(
              get(urlPathEqualTo(WireMockBinance.ACCOUNT_PATH))
                  .atPriority(5)
                  .willReturn(okAccount()));
      ExecutorService workers = Executors.newFixedThreadPool(DRIPPERS);
      try (BinanceAccountClient client = client(binance, time)) {
        List<Future<FetchOutcome>> drippers = new ArrayList<>();
        for (int i = 0; i < DRIPPERS; i++) {
          AccountCredentials dripper =
              new AccountCredentials(
                  "dripper-" + i,
                  Secret.of(DRIPPER_KEY),
                  new HmacSha256Signer(Secret.of(TestKeys.DOC_SECRET)));
          drippers.add(workers.submit(() -> client.fetchAccount(dripper)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> binance.accountRequests() >= DRIPPERS);

        Future<FetchOutcome> healthy =
            workers.submit(() -> client.fetchAccount(TestKeys.docAccount("healthy")));

        // Far less than the minute the drippers would hold every worker and connection for.
        await().atMost(Duration.ofSeconds(30)).until(healthy::isDone);
        assertThat(healthy.get()).isInstanceOf(Success.class);
        for (Future<FetchOutcome> dripper : drippers) {
          await().atMost(Duration.ofSeconds(30)).until(dripper::isDone);
          assertThat(dripper.get()).isInstanceOf(Failure.class);
          assertThat(((Failure) dripper.get()).message())
              .contains("no complete response within binance.response.deadline (3000 ms)");
        }
      } finally {
        workers.shutdownNow();
      }
    }
  }

  /**
   * One attempt per fetch, the default pool size (= the default poll.max.concurrent), a socket
   * timeout the drip never trips: without the deadline every worker would be held for a minute.
   */
  private static BinanceAccountClient client(WireMockBinance binance, FakeTime time) {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(
                Map.of(
                    "binance.base.url", binance.baseUrl().toString(),
                    "binance.response.deadline", "3s",
                    "binance.response.timeout", "10s",
                    "binance.retry.max.attempts", "1",
                    "binance.max.connections", Integer.toString(DRIPPERS))));
    return new BinanceAccountClient(
        BinanceClientConfig.from(reader), new SimpleMeterRegistry(), time, time);
  }

  private static ResponseDefinitionBuilder okAccount() {
    return aResponse()
        .withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withBody(AccountInfoParserTest.DOC_EXAMPLE);
  }
}
