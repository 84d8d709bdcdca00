package io.pmaccountstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.Secret;
import io.pmaccountstream.simulator.http.HttpRequest;
import io.pmaccountstream.simulator.http.HttpResponse;
import io.pmaccountstream.simulator.scenario.AccountSpec;
import io.pmaccountstream.simulator.scenario.Credentials;
import io.pmaccountstream.simulator.scenario.Scenario;
import io.pmaccountstream.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Binance's rules for {@code /papi/v1/listenKey}, without the network. */
class ListenKeyRulesTest {

  private static final String KEY = "AliceKey0123";
  private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
  private static final Pattern LISTEN_KEY =
      Pattern.compile("\\{\"listenKey\":\"([A-Za-z0-9]{64})\"}");

  private final TestClock clock = new TestClock(START);

  @Test
  void postAnswersAKeyForTheApiKeyAloneAtWeightOne() throws Exception {
    BinancePmSimulator sim = simulator(b -> b);

    HttpResponse response = send(sim, "POST", KEY);

    assertThat(response.status()).isEqualTo(200);
    assertThat(body(response)).matches(LISTEN_KEY);
    assertThat(response.headers()).containsEntry("X-MBX-USED-WEIGHT-1M", "1");
    assertThat(send(sim, "PUT", KEY).headers()).containsEntry("X-MBX-USED-WEIGHT-1M", "2");
    assertThat(send(sim, "DELETE", KEY).headers()).containsEntry("X-MBX-USED-WEIGHT-1M", "3");
  }

  @Test
  void aSecondPostWhileTheKeyIsValidAnswersTheSameKeyAndExtendsIt() throws Exception {
    BinancePmSimulator sim = simulator(b -> b);
    String first = key(send(sim, "POST", KEY));

    clock.advance(Duration.ofMinutes(50));
    String second = key(send(sim, "POST", KEY));
    clock.advance(Duration.ofMinutes(50));

    assertThat(second).isEqualTo(first);
    assertThat(send(sim, "PUT", KEY).status()).isEqualTo(200);
  }

  @Test
  void aKeyLivesSixtyMinutesThenKeepAliveIsMinus1125AndPostGivesANewKey() throws Exception {
    BinancePmSimulator sim = simulator(b -> b);
    String first = key(send(sim, "POST", KEY));

    clock.advance(Duration.ofMinutes(59));
    assertThat(sim.listenKey("alice")).contains(first);
    clock.advance(Duration.ofMinutes(1));
    HttpResponse expired = send(sim, "PUT", KEY);
    String second = key(send(sim, "POST", KEY));

    assertThat(expired.status()).isEqualTo(400);
    assertThat(body(expired))
        .isEqualTo("{\"code\":-1125,\"msg\":\"This listenKey does not exist.\"}");
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void keepAliveExtendsValidityToSixtyMinutesFromNow() throws Exception {
    BinancePmSimulator sim = simulator(b -> b);
    send(sim, "POST", KEY);

    clock.advance(Duration.ofMinutes(40));
    assertThat(send(sim, "PUT", KEY).status()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(59));
    assertThat(send(sim, "PUT", KEY).status()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(60));

    assertThat(body(send(sim, "PUT", KEY))).contains("-1125");
  }

  @Test
  void validityRunsOnTheScenarioClockAtTheScenarioSpeed() throws Exception {
    BinancePmSimulator sim = simulator(b -> b.speed(4));
    send(sim, "POST", KEY);

    clock.advance(Duration.ofMinutes(14));
    assertThat(sim.listenKey("alice")).isPresent();
    clock.advance(Duration.ofMinutes(1));

    assertThat(sim.listenKey("alice")).isEmpty();
    assertThat(body(send(sim, "PUT", KEY))).contains("-1125");
  }

  @Test
  void validityCanBeShortenedForTests() throws Exception {
    BinancePmSimulator sim = simulator(b -> b.listenKeyValidity(Duration.ofSeconds(5)));
    send(sim, "POST", KEY);

    clock.advance(Duration.ofSeconds(5));

    assertThat(body(send(sim, "PUT", KEY))).contains("-1125");
  }

  @Test
  void deleteClosesTheKeyAndAnotherDeleteIsMinus1125() throws Exception {
    BinancePmSimulator sim = simulator(b -> b);
    send(sim, "POST", KEY);

    HttpResponse deleted = send(sim, "DELETE", KEY);

    assertThat(deleted.status()).isEqualTo(200);
    assertThat(body(deleted)).isEqualTo("{}");
    assertThat(sim.listenKey("alice")).isEmpty();
    assertThat(body(send(sim, "PUT", KEY))).contains("-1125");
    assertThat(body(send(sim, "DELETE", KEY))).contains("-1125");
  }

  @Test
  void theApiKeyIsCheckedAsForSignedRequests() throws Exception {
    BinancePmSimulator sim = simulator(b -> b);

    HttpResponse missing = send(sim, "POST", null);
    HttpResponse unknown = send(sim, "POST", "SomeoneElse1");

    assertThat(missing.status()).isEqualTo(400);
    assertThat(body(missing)).contains("-2014");
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(body(unknown)).contains("-2015");
  }

  @Test
  void otherMethodsAreNotServed() throws Exception {
    BinancePmSimulator sim = simulator(b -> b);

    assertThat(send(sim, "GET", KEY).status()).isEqualTo(404);
    assertThat(sim.stats().count(RequestStats.LISTEN_KEY, 404)).isEqualTo(1);
  }

  private BinancePmSimulator simulator(UnaryOperator<BinancePmSimulator.Builder> options) {
    Scenario scenario =
        Scenario.of(
            AccountSpec.builder("alice", Credentials.hmac(KEY, Secret.of("alice-secret")))
                .uniMmr("1.5")
                .accountMaintMargin("1000")
                .build());
    return options.apply(BinancePmSimulator.builder().scenario(scenario).clock(clock)).build();
  }

  private static HttpResponse send(BinancePmSimulator sim, String method, String apiKey)
      throws InterruptedException {
    Map<String, String> headers = new HashMap<>();
    if (apiKey != null) {
      headers.put("x-mbx-apikey", apiKey);
    }
    return sim.handler()
        .handle(
            new HttpRequest(method, "/papi/v1/listenKey", "", "HTTP/1.1", headers, "127.0.0.1"));
  }

  private static String key(HttpResponse response) {
    Matcher m = LISTEN_KEY.matcher(body(response));
    assertThat(m.matches()).as("a listenKey answer: %s", body(response)).isTrue();
    return m.group(1);
  }

  private static String body(HttpResponse response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
