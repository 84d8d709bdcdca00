package io.pmaccountstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.Secret;
import io.pmaccountstream.simulator.api.SignatureVerifier;
import io.pmaccountstream.simulator.fault.Fault;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.simulator.fault.LatencyModel;
import io.pmaccountstream.simulator.http.HttpRequest;
import io.pmaccountstream.simulator.http.HttpResponse;
import io.pmaccountstream.simulator.scenario.AccountSpec;
import io.pmaccountstream.simulator.scenario.Credentials;
import io.pmaccountstream.simulator.scenario.Scenario;
import io.pmaccountstream.simulator.scenario.Segment;
import io.pmaccountstream.testing.TestClock;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SimulatorHandlerTest {

  private static final String KEY = "AliceKey0123";
  private static final String SECRET = "alice-secret";
  private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");

  private final TestClock clock = new TestClock(START);
  private final List<Duration> slept = new ArrayList<>();

  @Test
  void servesTheAccountInBinancesShapeWithEightDecimals() throws Exception {
    BinancePmSimulator sim = simulator(b -> b);

    HttpResponse response = account(sim, clock.millis());

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.headers()).containsEntry("Content-Type", "application/json;charset=UTF-8");
    assertThat(body(response))
        .isEqualTo(
            "{\"uniMMR\":\"1.50000000\",\"accountEquity\":\"1500.00000000\","
                + "\"actualEquity\":\"1575.00000000\",\"accountInitialMargin\":\"1000.00000000\","
                + "\"accountMaintMargin\":\"1000.00000000\",\"accountStatus\":\"NORMAL\","
                + "\"virtualMaxWithdrawAmount\":\"500.00000000\",\"totalAvailableBalance\":\"\","
                + "\"totalMarginOpenLoss\":\"\",\"updateTime\":"
                + START.toEpochMilli()
                + "}");
  }

  @Test
  void everyResponseCarriesDateAndUsedWeight() throws Exception {
    BinancePmSimulator sim = simulator(b -> b);

    HttpResponse ok = account(sim, clock.millis());
    HttpResponse rejected = get(sim, "/papi/v1/account", "timestamp=1", null);
    HttpResponse ping = get(sim, "/papi/v1/ping", "", null);
    HttpResponse missing = get(sim, "/nowhere", "", null);

    assertThat(ok.headers())
        .containsEntry("Date", "Mon, 23 Nov 2026 10:00:00 GMT")
        .containsEntry("X-MBX-USED-WEIGHT-1M", "20");
    assertThat(rejected.headers()).containsEntry("X-MBX-USED-WEIGHT-1M", "40");
    assertThat(ping.headers()).containsEntry("X-MBX-USED-WEIGHT-1M", "41");
    assertThat(body(ping)).isEqualTo("{}");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.headers()).containsKeys("Date", "X-MBX-USED-WEIGHT-1M");
  }

  @Test
  void clockSkewMovesServerTimeDateAndTheTimestampCheck() throws Exception {
    BinancePmSimulator sim = simulator(b -> b.clockSkew(Duration.ofSeconds(-7)));

    HttpResponse time = get(sim, "/fapi/v1/time", "", null);
    HttpResponse localTimestamp = account(sim, clock.millis());
    HttpResponse serverTimestamp = account(sim, clock.millis() - 7_000);

    assertThat(body(time)).isEqualTo("{\"serverTime\":" + (START.toEpochMilli() - 7_000) + "}");
    assertThat(time.headers()).containsEntry("Date", "Mon, 23 Nov 2026 09:59:53 GMT");
    assertThat(localTimestamp.status()).isEqualTo(400);
    assertThat(body(localTimestamp)).contains("-1021").contains("ahead of the server's time");
    assertThat(serverTimestamp.status()).isEqualTo(200);
  }

  @Test
  void aClockJumpAtRuntimeIsSeenByTheNextRequest() throws Exception {
    BinancePmSimulator sim = simulator(b -> b);
    sim.setClockSkew(Duration.ofSeconds(30));

    assertThat(body(account(sim, clock.millis())))
        .contains("-1021")
        .contains("outside of the recvWindow");
    assertThat(sim.serverTime()).isEqualTo(clock.millis() + 30_000);
  }

  @Test
  void answers429PastTheWeightLimitThen418WhenRequestsContinue() throws Exception {
    BinancePmSimulator sim = simulator(b -> b.weightLimit(60).banDuration(Duration.ofMinutes(5)));
    clock.advance(Duration.ofSeconds(30));
    for (int i = 0; i < 3; i++) {
      assertThat(account(sim, clock.millis()).status()).isEqualTo(200);
    }

    HttpResponse limited = account(sim, clock.millis());
    HttpResponse banned = account(sim, clock.millis());

    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.headers())
        .containsEntry("Retry-After", "30")
        .containsEntry("X-MBX-USED-WEIGHT-1M", "80");
    assertThat(body(limited)).startsWith("{\"code\":-1003,\"msg\":\"Too much request weight used");
    assertThat(banned.status()).isEqualTo(418);
    assertThat(banned.headers()).containsEntry("Retry-After", "300");
    assertThat(body(banned))
        .contains("-1003")
        .contains("banned until " + (clock.millis() + 300_000));
    assertThat(sim.stats().count(RequestStats.ACCOUNT, 429)).isEqualTo(1);
    assertThat(sim.stats().count(RequestStats.ACCOUNT, 418)).isEqualTo(1);
  }

  @Test
  void latencyIsSleptBeforeAnswering() throws Exception {
    BinancePmSimulator sim =
        simulator(
            b ->
                b.faults(
                    FaultConfig.none()
                        .withLatency(LatencyModel.fixed(Duration.ofMillis(80), Duration.ZERO))));

    account(sim, clock.millis());

    assertThat(slept).containsExactly(Duration.ofMillis(80));
  }

  @Test
  void serverErrorsUseBinancesErrorBodies() throws Exception {
    assertThat(body(faulty(Fault.SERVER_ERROR_503)))
        .isEqualTo(
            "{\"code\":-1000,\"msg\":\"Unknown error, please check your request or try again later.\"}");
    assertThat(faulty(Fault.SERVER_ERROR_503).status()).isEqualTo(503);
    assertThat(faulty(Fault.SERVER_ERROR_500).status()).isEqualTo(500);
  }

  @Test
  void malformedBodiesBreakTheJsonAsConfigured() throws Exception {
    assertThat(body(faulty(Fault.TRUNCATED_JSON))).startsWith("{\"uniMMR\":").doesNotEndWith("}");
    assertThat(body(faulty(Fault.HTML_PAGE))).startsWith("<!DOCTYPE HTML");
    assertThat(faulty(Fault.HTML_PAGE).headers()).containsEntry("Content-Type", "text/html");
    assertThat(body(faulty(Fault.EMPTY_NUMBER)))
        .containsPattern("\"[A-Za-z]+\":\"\",\"[a-zA-Z]+\"");
    assertThat(body(faulty(Fault.UNKNOWN_STATUS)))
        .contains("\"accountStatus\":\"SIMULATED_UNDOCUMENTED_STATUS\"");
    assertThat(body(faulty(Fault.NON_NUMERIC_NUMBER)))
        .containsPattern("\"(NaN|1\\.2\\.3|abc|0x1F|--1)\"");
  }

  @Test
  void transportFaultsAskTheServerToResetOrTruncate() throws Exception {
    assertThat(faulty(Fault.CONNECTION_RESET).delivery()).isEqualTo(HttpResponse.Delivery.RESET);
    assertThat(faulty(Fault.TRUNCATED_BODY).delivery()).isEqualTo(HttpResponse.Delivery.TRUNCATED);
  }

  @Test
  void faultyResponsesDoNotCountAsServed() throws Exception {
    BinancePmSimulator sim =
        simulator(b -> b.faults(FaultConfig.none().withRate(Fault.UNKNOWN_STATUS, 1.0)));
    Change change = sim.account("alice").set("1.1");

    account(sim, clock.millis()).onDelivered().run();

    assertThat(change.served()).isNotDone();
    assertThat(sim.stats().count(Fault.UNKNOWN_STATUS)).isEqualTo(1);
    assertThat(sim.account("alice").requestCount()).isEqualTo(1);
    assertThat(sim.account("alice").servedCount()).isZero();
  }

  @Test
  void aChangeCompletesWhenAResponseShowingItIsDelivered() throws Exception {
    BinancePmSimulator sim = simulator(b -> b);
    List<AccountState> heard = new ArrayList<>();
    sim.addServeListener((state, at) -> heard.add(state));
    clock.advance(Duration.ofSeconds(5));
    Change change = sim.account("alice").set(new BigDecimal("1.15"), "REDUCE_ONLY");

    HttpResponse response = account(sim, clock.millis());
    assertThat(change.served()).isNotDone();
    response.onDelivered().run();

    assertThat(change.served()).isCompletedWithValue(clock.instant());
    assertThat(body(response))
        .contains("\"uniMMR\":\"1.15000000\"")
        .contains("\"accountEquity\":\"1150.00000000\"")
        .contains("\"accountStatus\":\"REDUCE_ONLY\"")
        .contains("\"updateTime\":" + clock.millis());
    assertThat(heard).extracting(AccountState::version).containsExactly(change.version());
  }

  @Test
  void theScenarioClockRunsAtTheConfiguredSpeed() throws Exception {
    Scenario scenario =
        Scenario.of(
            AccountSpec.builder("alice", Credentials.hmac(KEY, Secret.of(SECRET)))
                .uniMmr("2")
                .accountMaintMargin("1000")
                .then(Segment.Step.uniMmr(Duration.ofMinutes(20), "1.4"))
                .build());
    BinancePmSimulator sim = simulator(b -> b.scenario(scenario).speed(20));

    clock.advance(Duration.ofSeconds(59));
    assertThat(body(account(sim, clock.millis()))).contains("\"accountStatus\":\"NORMAL\"");
    clock.advance(Duration.ofSeconds(2));
    String body = body(account(sim, clock.millis()));

    assertThat(body)
        .contains("\"uniMMR\":\"1.40000000\"")
        .contains("\"accountStatus\":\"MARGIN_CALL\"");
    assertThat(body).contains("\"updateTime\":" + START.plusSeconds(60).toEpochMilli());
  }

  @Test
  void resumeScenarioHandsTheAccountBackToItsPath() {
    BinancePmSimulator sim = simulator(b -> b);
    SimulatedAccount alice = sim.account("alice");

    alice.set("1.01");
    assertThat(alice.current().accountStatus()).isEqualTo("FORCE_LIQUIDATION");
    assertThat(alice.isPinned()).isTrue();
    alice.resumeScenario();

    assertThat(alice.current().uniMmr()).isEqualByComparingTo("1.5");
    assertThat(alice.isPinned()).isFalse();
  }

  @Test
  void resumingMovesUpdateTimeWhenThePathValuesDifferFromTheSetOnes() {
    BinancePmSimulator sim = simulator(b -> b);
    SimulatedAccount alice = sim.account("alice");
    clock.advance(Duration.ofSeconds(10));
    alice.set("1.3");
    clock.advance(Duration.ofSeconds(10));

    alice.resumeScenario();

    assertThat(alice.current().updateTime()).isEqualTo(clock.millis());
    assertThat(alice.current().version()).isEqualTo(2);
  }

  @Test
  void settingTheSameValuesAgainIsNoChange() {
    BinancePmSimulator sim = simulator(b -> b);
    SimulatedAccount alice = sim.account("alice");
    Change first = alice.set("1.3");
    clock.advance(Duration.ofSeconds(10));

    Change second = alice.set("1.3");

    assertThat(second.version()).isEqualTo(first.version());
    assertThat(second.state().updateTime()).isEqualTo(first.state().updateTime());
  }

  @Test
  void keepingUpdateTimeServesANewUniMmrUnderTheOldUpdateTime() {
    BinancePmSimulator sim = simulator(b -> b);
    clock.advance(Duration.ofMinutes(1));

    AccountState state =
        sim.account("alice").set(AccountPatch.uniMmr("1.7").keepingUpdateTime()).state();

    assertThat(state.updateTime()).isEqualTo(START.toEpochMilli());
    assertThat(state.uniMmr()).isEqualByComparingTo("1.7");
  }

  private HttpResponse faulty(Fault fault) throws Exception {
    BinancePmSimulator sim = simulator(b -> b.faults(FaultConfig.none().withRate(fault, 1.0)));
    return account(sim, clock.millis());
  }

  private BinancePmSimulator simulator(UnaryOperator<BinancePmSimulator.Builder> options) {
    Scenario scenario =
        Scenario.of(
            AccountSpec.builder("alice", Credentials.hmac(KEY, Secret.of(SECRET)))
                .uniMmr("1.5")
                .accountMaintMargin("1000")
                .build());
    BinancePmSimulator.Builder builder =
        BinancePmSimulator.builder().scenario(scenario).clock(clock).sleeper(slept::add);
    return options.apply(builder).build();
  }

  private static HttpResponse account(BinancePmSimulator sim, long timestamp) throws Exception {
    String payload = "timestamp=" + timestamp;
    String query = payload + "&signature=" + SignatureVerifier.HmacSha256.sign(SECRET, payload);
    return get(sim, "/papi/v1/account", query, KEY);
  }

  private static HttpResponse get(BinancePmSimulator sim, String path, String query, String key)
      throws InterruptedException {
    Map<String, String> headers = new HashMap<>();
    if (key != null) {
      headers.put("x-mbx-apikey", key);
    }
    return sim.handler()
        .handle(new HttpRequest("GET", path, query, "HTTP/1.1", headers, "127.0.0.1"));
  }

  private static String body(HttpResponse response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
