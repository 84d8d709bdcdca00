package io.pmaccountstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.Secret;
import io.pmaccountstream.simulator.api.SignatureVerifier;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.simulator.http.HttpRequest;
import io.pmaccountstream.simulator.http.HttpResponse;
import io.pmaccountstream.simulator.scenario.AccountSpec;
import io.pmaccountstream.simulator.scenario.Credentials;
import io.pmaccountstream.simulator.scenario.Scenario;
import io.pmaccountstream.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulator's hostile fault mode: the schedule, the serve log, the switch. */
class HostileModeTest {

  private static final String KEY = "AliceKey0123";
  private static final String SECRET = "alice-secret";

  private final TestClock clock = new TestClock(Instant.parse("2026-11-23T10:00:00Z"));

  @Test
  void servesTheCorpusInItsSeededOrderAndLogsEveryAnswer() throws Exception {
    BinancePmSimulator sim = simulator(1.0, 7);
    List<String> expected = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      expected.add(HostileCorpus.pick(7, 0, 1, k).name());
      HttpResponse response = account(sim);
      response.onDelivered().run();
    }
    assertThat(sim.serveLog().all())
        .extracting(ServedAnswer::name)
        .containsExactlyElementsOf(expected);
    assertThat(sim.serveLog().all())
        .extracting(ServedAnswer::accountId, ServedAnswer::request, ServedAnswer::kind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("alice", 1L, ServedAnswer.Kind.HOSTILE),
            org.assertj.core.groups.Tuple.tuple("alice", 2L, ServedAnswer.Kind.HOSTILE),
            org.assertj.core.groups.Tuple.tuple("alice", 3L, ServedAnswer.Kind.HOSTILE),
            org.assertj.core.groups.Tuple.tuple("alice", 4L, ServedAnswer.Kind.HOSTILE),
            org.assertj.core.groups.Tuple.tuple("alice", 5L, ServedAnswer.Kind.HOSTILE));
  }

  @Test
  void theSameSeedGivesTheSameScheduleOfGoodAndHostileAnswers() throws Exception {
    assertThat(names(simulator(0.3, 11), 40)).isEqualTo(names(simulator(0.3, 11), 40));
    assertThat(names(simulator(0.3, 11), 40)).isNotEqualTo(names(simulator(0.3, 12), 40));
    assertThat(names(simulator(0.3, 11), 40)).contains(ServedAnswer.GOOD).hasSize(40);
  }

  @Test
  void hostileHeadersWinOverTheSimulatorsOwn() throws Exception {
    BinancePmSimulator sim = simulator(1.0, 7);
    for (int k = 0; k < HostileCorpus.entries().size(); k++) {
      HostileAnswer entry = HostileCorpus.pick(7, 0, 1, k);
      HttpResponse response = account(sim);
      if (entry.name().equals("date-1960")) {
        assertThat(response.headers()).containsEntry("Date", "Fri, 01 Jan 1960 00:00:00 GMT");
      } else if (entry.name().equals("used-weight-huge")) {
        assertThat(response.headers())
            .containsEntry(SimulatorHandler.USED_WEIGHT_HEADER, "999999999");
      } else if (entry.name().equals("rate-limited-429")) {
        assertThat(response.headers()).containsKey("Date").containsEntry("Retry-After", "1");
      }
    }
  }

  @Test
  void turnedOffTheHostileRequestsGetTheGoodStateWithoutShiftingTheSchedule() throws Exception {
    BinancePmSimulator sim = simulator(1.0, 7);
    account(sim).onDelivered().run();
    sim.setHostileAnswers(false);
    account(sim).onDelivered().run();
    sim.setHostileAnswers(true);
    account(sim).onDelivered().run();
    List<ServedAnswer> log = sim.serveLog().all();
    assertThat(log.get(1).kind()).isEqualTo(ServedAnswer.Kind.GOOD);
    assertThat(log.get(1).state()).isPresent();
    assertThat(log.get(2).name()).isEqualTo(HostileCorpus.pick(7, 0, 1, 1).name());
  }

  @Test
  void logsBinancesRuleRejectionsWithTheAccountOfTheKey() throws Exception {
    BinancePmSimulator sim = simulator(0, 7);
    String query = "timestamp=" + clock.millis() + "&signature=00";
    sim.handler()
        .handle(
            new HttpRequest(
                "GET",
                "/papi/v1/account",
                query,
                "HTTP/1.1",
                Map.of("x-mbx-apikey", KEY),
                "127.0.0.1"))
        .onDelivered()
        .run();
    assertThat(sim.serveLog().all())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.kind()).isEqualTo(ServedAnswer.Kind.RULE);
              assertThat(a.accountId()).isEqualTo("alice");
              assertThat(a.name()).isEqualTo("rule:400:-1022");
            });
  }

  @Test
  void recordsADripWhenItStartsWithTheStateItCarries() throws Exception {
    BinancePmSimulator sim = simulator(1.0, 7);
    for (int k = 0; k < HostileCorpus.entries().size(); k++) {
      HttpResponse response = account(sim);
      if (response.delivery() == HttpResponse.Delivery.DRIP) {
        assertThat(response.dripOver()).isEqualTo(Duration.ofSeconds(5));
        ServedAnswer last = sim.serveLog().all().get(sim.serveLog().size() - 1);
        assertThat(last.name()).isEqualTo("slow-drip");
        assertThat(last.state()).isPresent();
        return;
      }
      response.onDelivered().run();
    }
    throw new AssertionError("no slow drip served in a whole pass over the corpus");
  }

  private List<String> names(BinancePmSimulator sim, int requests) throws Exception {
    for (int i = 0; i < requests; i++) {
      account(sim).onDelivered().run();
    }
    return sim.serveLog().all().stream().map(ServedAnswer::name).toList();
  }

  private BinancePmSimulator simulator(double hostileRate, long seed) {
    Scenario scenario =
        Scenario.of(
            AccountSpec.builder("alice", Credentials.hmac(KEY, Secret.of(SECRET)))
                .uniMmr("1.5")
                .accountMaintMargin("1000")
                .build());
    return BinancePmSimulator.builder()
        .scenario(scenario)
        .clock(clock)
        .sleeper(d -> {})
        .seed(seed)
        .weightLimit(1_000_000)
        .faults(
            FaultConfig.none().withHostileRate(hostileRate).withHostileDrip(Duration.ofSeconds(5)))
        .build();
  }

  private HttpResponse account(BinancePmSimulator sim) throws Exception {
    String payload = "timestamp=" + clock.millis();
    String query = payload + "&signature=" + SignatureVerifier.HmacSha256.sign(SECRET, payload);
    return sim.handler()
        .handle(
            new HttpRequest(
                "GET",
                "/papi/v1/account",
                query,
                "HTTP/1.1",
                Map.of("x-mbx-apikey", KEY),
                "127.0.0.1"));
  }
}
