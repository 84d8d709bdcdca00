package io.pmaccountstream.binance.userdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.BinanceClientConfig;
import io.pmaccountstream.binance.RequestSigner;
import io.pmaccountstream.binance.ServerClock;
import io.pmaccountstream.binance.Sleeper;
import io.pmaccountstream.binance.WeightBudget;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.PushLog;
import io.pmaccountstream.simulator.RequestStats;
import io.pmaccountstream.simulator.scenario.AccountSpec;
import io.pmaccountstream.simulator.scenario.Credentials;
import io.pmaccountstream.simulator.scenario.Scenario;
import io.pmaccountstream.testing.LogCapture;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The user-data stream client against the simulator over real sockets on 127.0.0.1: listen keys,
 * keep-alive, -1125, drops, both 24-hour cuts, ping/pong, a malformed frame, DELETE on close.
 */
class UserDataStreamIT {

  private static final String ACCOUNT = "alice";
  private static final String API_KEY = "AliceKey0123";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Recorder recorder = new Recorder();
  private final LogCapture logs = LogCapture.start();
  private BinancePmSimulator sim;
  private UserDataStreams streams;

  @AfterEach
  void stop() {
    try {
      if (streams != null) {
        streams.close();
      }
    } finally {
      if (sim != null) {
        sim.close();
      }
      logs.close();
    }
  }

  @Test
  void createsAKeyConnectsDeliversEventsAndDeletesTheKeyOnClose() {
    start(b -> b, Map.of(), () -> 0.5);
    awaitConnected();
    String key = sim.listenKey(ACCOUNT).orElseThrow();

    sim.account(ACCOUNT).set(new BigDecimal("1.1"));

    UserDataEvent.RiskLevelChange risk = awaitRiskLevel("REDUCE_ONLY");
    assertThat(risk.uniMmr()).isEqualByComparingTo("1.1");
    assertThat(risk.accountId()).isEqualTo(ACCOUNT);
    await()
        .atMost(WAIT)
        .until(
            () ->
                recorder.events.stream()
                    .anyMatch(
                        e ->
                            e instanceof UserDataEvent.AccountChanged c
                                && c.eventType().equals("ACCOUNT_UPDATE")));
    assertThat(counter("pmas.userdata.events", "type", "riskLevelChange")).isEqualTo(1);
    assertThat(counter("pmas.userdata.key.creations", "kind", "first")).isEqualTo(1);
    assertThat(gauge("pmas.userdata.connected")).isEqualTo(1);

    streams.close();

    assertThat(sim.listenKey(ACCOUNT)).isEmpty();
    await()
        .atMost(WAIT)
        .until(() -> sim.pushLog().connections(ACCOUNT).get(0).closeReason().isPresent());
    assertThat(sim.pushLog().connections(ACCOUNT))
        .singleElement()
        .satisfies(c -> assertThat(c.closeReason()).contains(PushLog.CLOSED_BY_CLIENT));
    assertThat(sim.stats().count(RequestStats.LISTEN_KEY, 200)).isEqualTo(2);
    assertThat(streams.health())
        .as("a closed stream leaves the health view")
        .doesNotContainKey(ACCOUNT);
    assertThat(String.join("\n", logs.messages()))
        .doesNotContain(key)
        .contains(key.substring(0, 6));
  }

  @Test
  void keepAliveRenewsTheKeySoItNeverExpires() {
    start(
        b -> b.listenKeyValidity(Duration.ofSeconds(3)),
        Map.of("binance.user.stream.keepalive", "1s"),
        () -> 0.5);
    awaitConnected();
    String key = sim.listenKey(ACCOUNT).orElseThrow();

    await().atMost(WAIT).until(() -> counter("pmas.userdata.key.renewals") >= 5);

    assertThat(sim.listenKey(ACCOUNT)).contains(key);
    assertThat(sim.stats().count(RequestStats.LISTEN_KEY, 400)).isZero();
    assertThat(sim.pushLog().connections(ACCOUNT)).singleElement().matches(c -> c.isOpen());
    assertThat(counter("pmas.userdata.key.creations", "kind", "recreated")).isZero();
  }

  @Test
  void afterMinus1125ItCreatesANewKeyAndReconnectsAndEventsContinue() {
    // The key lives 2 s; the first keep-alive comes at 3 s while the stream is down after a drop
    // (reconnect backoff ~5 s), so no listenKeyExpired can tell: the PUT answers -1125.
    start(
        b -> b.listenKeyValidity(Duration.ofSeconds(2)),
        Map.of(
            "binance.user.stream.keepalive", "3s",
            "binance.user.stream.reconnect.initial.backoff", "10s",
            "binance.user.stream.reconnect.max.backoff", "10s"),
        () -> 0.999);
    awaitConnected();
    String first = sim.listenKey(ACCOUNT).orElseThrow();
    assertThat(sim.dropStreams(ACCOUNT)).isEqualTo(1);

    await()
        .atMost(WAIT)
        .until(() -> counter("pmas.userdata.reconnects", "reason", "key-recreated") >= 1);
    awaitConnected();

    assertThat(sim.stats().count(RequestStats.LISTEN_KEY, 400)).isGreaterThanOrEqualTo(1);
    assertThat(sim.listenKey(ACCOUNT)).isPresent().get().isNotEqualTo(first);
    assertThat(counter("pmas.userdata.key.creations", "kind", "recreated")).isEqualTo(1);
    sim.account(ACCOUNT).set(new BigDecimal("1.3"));
    assertThat(awaitRiskLevel("MARGIN_CALL").uniMmr()).isEqualByComparingTo("1.3");
  }

  @Test
  void aKeyThatExpiresWhileConnectedIsToldAndReplaced() {
    start(
        b -> b.listenKeyValidity(Duration.ofSeconds(2)),
        Map.of("binance.user.stream.keepalive", "30m"),
        () -> 0.5);
    awaitConnected();
    String first = sim.listenKey(ACCOUNT).orElseThrow();

    await()
        .atMost(WAIT)
        .until(() -> counter("pmas.userdata.reconnects", "reason", "key-expired") >= 1);
    awaitConnected();

    assertThat(recorder.events)
        .anyMatch(
            e ->
                e instanceof UserDataEvent.AccountChanged c
                    && c.eventType().equals("listenKeyExpired"));
    assertThat(sim.listenKey(ACCOUNT)).isPresent().get().isNotEqualTo(first);
    assertThat(sim.pushLog().connections(ACCOUNT).get(0).closeReason())
        .contains(PushLog.KEY_EXPIRED);
  }

  @Test
  void anInjectedDropIsFollowedByAReconnectAndEventsContinue() {
    start(b -> b, Map.of(), () -> 0.5);
    awaitConnected();
    sim.account(ACCOUNT).set(new BigDecimal("1.4"));
    awaitRiskLevel("MARGIN_CALL");

    assertThat(sim.dropStreams(ACCOUNT)).isEqualTo(1);
    await().atMost(WAIT).until(() -> sim.pushLog().connections(ACCOUNT).size() == 2);
    awaitConnected();
    sim.account(ACCOUNT).set(new BigDecimal("1.1"));

    awaitRiskLevel("REDUCE_ONLY");
    List<PushLog.StreamConnection> connections = sim.pushLog().connections(ACCOUNT);
    assertThat(connections.get(0).closeReason()).contains(PushLog.DROPPED);
    assertThat(connections.get(1).isOpen()).isTrue();
    assertThat(streams.health().get(ACCOUNT).reconnects()).isEqualTo(1);
    assertThat(streams.health().get(ACCOUNT).lastReconnectReason()).get().isIn("closed", "error");
  }

  @Test
  void reconnectsOnItsOwnBeforeTheServersCut() {
    start(
        b -> b.wsMaxConnectionAge(Duration.ofSeconds(30)),
        Map.of("binance.user.stream.max.connection.age", "1s"),
        () -> 0.5);
    awaitConnected();

    await().atMost(WAIT).until(() -> counter("pmas.userdata.reconnects", "reason", "max-age") >= 2);
    awaitConnected();
    sim.account(ACCOUNT).set(new BigDecimal("1.1"));

    awaitRiskLevel("REDUCE_ONLY");
    assertThat(sim.pushLog().connections(ACCOUNT))
        .filteredOn(c -> !c.isOpen())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.closeReason()).contains(PushLog.CLOSED_BY_CLIENT));
  }

  @Test
  void survivesTheServersCut() {
    start(b -> b.wsMaxConnectionAge(Duration.ofSeconds(1)), Map.of(), () -> 0.5);
    awaitConnected();

    await().atMost(WAIT).until(() -> sim.pushLog().connections(ACCOUNT).size() >= 3);
    awaitConnected();

    assertThat(sim.pushLog().connections(ACCOUNT).get(0).closeReason()).contains(PushLog.MAX_AGE);
    assertThat(counter("pmas.userdata.reconnects", "reason", "closed")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aMalformedFrameGoesToOnMalformedAndTheStreamGoesOn() {
    start(b -> b, Map.of(), () -> 0.5);
    awaitConnected();
    String bad =
        "{\"e\":\"riskLevelChange\",\"E\":1587727187525,\"u\":1.5,\"s\":\"MARGIN_CALL\","
            + "\"eq\":\"30.23416728\",\"ae\":\"30.23416728\",\"m\":\"15.11708371\"}";

    assertThat(sim.pushRawFrame(ACCOUNT, bad)).isEqualTo(1);
    await().atMost(WAIT).until(() -> !recorder.malformed.isEmpty());
    sim.account(ACCOUNT).set(new BigDecimal("1.1"));

    awaitRiskLevel("REDUCE_ONLY");
    assertThat(recorder.malformed)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.rawFrame()).isEqualTo(bad);
              assertThat(m.reason()).isEqualTo("u is a JSON number, not a string");
            });
    assertThat(counter("pmas.userdata.malformed")).isEqualTo(1);
    assertThat(sim.pushLog().connections(ACCOUNT)).hasSize(1);
  }

  @Test
  void aMalformedFrameCarryingTheListenKeyIsKeptWithTheKeyCut() {
    start(b -> b, Map.of(), () -> 0.5);
    awaitConnected();
    String key = sim.listenKey(ACCOUNT).orElseThrow();
    String bad =
        "{\"e\":\"listenKeyExpired\",\"E\":\"1576653824250\",\"listenKey\":\"" + key + "\"}";

    sim.pushRawFrame(ACCOUNT, bad);
    await().atMost(WAIT).until(() -> !recorder.malformed.isEmpty());

    assertThat(recorder.malformed.get(0).rawFrame())
        .doesNotContain(key)
        .contains("\"listenKey\":\"" + key.substring(0, 6) + "...\"");
    assertThat(recorder.malformed.get(0).reason())
        .isEqualTo("E (event time) is missing or not a JSON integer");
  }

  @Test
  void anUnreachableStreamEndpointIsRetriedWithBackoffAndNeverThrows() {
    start(b -> b, Map.of("binance.ws.base.url", "ws://127.0.0.1:1/pm/ws"), () -> 0.5);

    await()
        .atMost(WAIT)
        .until(() -> counter("pmas.userdata.reconnects", "reason", "connect-failed") >= 3);

    StreamHealth health = streams.health().get(ACCOUNT);
    assertThat(health.connected()).isFalse();
    assertThat(health.lastReconnectReason()).contains("connect-failed");
    assertThat(counter("pmas.userdata.loop.errors", "stage", "connect")).isZero();
  }

  @Test
  void aListenerThatThrowsIsCountedAndTheStreamGoesOn() {
    recorder.throwOnFirst = true;
    start(b -> b, Map.of(), () -> 0.5);
    awaitConnected();

    sim.account(ACCOUNT).set(new BigDecimal("1.4"));
    await()
        .atMost(WAIT)
        .until(() -> counter("pmas.userdata.loop.errors", "stage", "listener") >= 1);
    sim.account(ACCOUNT).set(new BigDecimal("1.1"));

    awaitRiskLevel("REDUCE_ONLY");
    assertThat(sim.pushLog().connections(ACCOUNT)).hasSize(1);
    assertThat(streams.health().get(ACCOUNT).connected()).isTrue();
  }

  @Test
  void aConnectionThatAnswersNoPingIsReplaced() {
    start(
        b -> b,
        Map.of(
            "binance.user.stream.ping.interval", "200ms",
            "binance.user.stream.pong.timeout", "300ms"),
        () -> 0.5);
    awaitConnected();

    sim.setStreamPongs(false);
    await()
        .atMost(WAIT)
        .until(() -> counter("pmas.userdata.reconnects", "reason", "pong-timeout") >= 1);
    sim.setStreamPongs(true);
    await()
        .atMost(WAIT)
        .until(
            () -> {
              StreamHealth health = streams.health().get(ACCOUNT);
              return health.connected()
                  && health
                      .connectedSince()
                      .orElseThrow()
                      .isBefore(Instant.now().minus(Duration.ofMillis(800)));
            });
    double replaced = counter("pmas.userdata.reconnects", "reason", "pong-timeout");

    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> counter("pmas.userdata.reconnects", "reason", "pong-timeout") == replaced);
  }

  // --- fixtures -------------------------------------------------------------------------------

  private void start(
      UnaryOperator<BinancePmSimulator.Builder> simOptions,
      Map<String, String> streamFlags,
      DoubleSupplier jitter) {
    Scenario scenario =
        Scenario.of(
            AccountSpec.builder(ACCOUNT, Credentials.hmac(API_KEY, Secret.of("alice-secret")))
                .uniMmr("2")
                .accountMaintMargin("1000")
                .build());
    sim = simOptions.apply(BinancePmSimulator.builder().scenario(scenario)).build().start();
    Map<String, String> flags = new HashMap<>();
    flags.put("binance.base.url", sim.baseUrl());
    flags.put("binance.time.url", "none");
    flags.put("binance.ws.base.url", sim.wsBaseUrl());
    flags.put("binance.user.stream.enabled", "true");
    flags.put("binance.user.stream.reconnect.initial.backoff", "100ms");
    flags.put("binance.user.stream.reconnect.max.backoff", "500ms");
    flags.put("binance.user.stream.ping.interval", "300ms");
    flags.put("binance.user.stream.pong.timeout", "2s");
    flags.putAll(streamFlags);
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));
    BinanceClientConfig client = BinanceClientConfig.from(reader);
    UserDataStreamConfig config = UserDataStreamConfig.from(reader);
    reader.throwIfProblems();
    WeightBudget budget =
        new WeightBudget(
            client.weightLimitPerMinute(),
            client.weightMaxShare(),
            new ServerClock(Clock.systemUTC(), registry),
            Sleeper.SYSTEM,
            registry);
    AccountCredentials account =
        new AccountCredentials(
            ACCOUNT, Secret.of(API_KEY), RequestSigner.fromKeyMaterial(Secret.of("alice-secret")));
    streams =
        new UserDataStreams(
            config,
            client,
            List.of(account),
            budget,
            recorder,
            registry,
            Clock.systemUTC(),
            jitter);
    streams.start();
  }

  private void awaitConnected() {
    await()
        .atMost(WAIT)
        .until(() -> streams.health().get(ACCOUNT).connected() && sim.openStreams(ACCOUNT) == 1);
  }

  private UserDataEvent.RiskLevelChange awaitRiskLevel(String level) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                recorder.events.stream()
                    .filter(
                        e ->
                            e instanceof UserDataEvent.RiskLevelChange r
                                && r.riskLevel().equals(level))
                    .map(UserDataEvent.RiskLevelChange.class::cast)
                    .findFirst()
                    .orElse(null),
            r -> r != null);
  }

  private double counter(String name, String... tags) {
    Counter counter = registry.find(name).tag("account", ACCOUNT).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  private double gauge(String name) {
    return registry.get(name).tag("account", ACCOUNT).gauge().value();
  }

  private record Malformed(String accountId, String rawFrame, String reason) {}

  private static final class Recorder implements UserDataListener {
    final List<UserDataEvent> events = new CopyOnWriteArrayList<>();
    final List<Malformed> malformed = new CopyOnWriteArrayList<>();
    volatile boolean throwOnFirst;

    @Override
    public void onEvent(UserDataEvent event) {
      if (throwOnFirst) {
        throwOnFirst = false;
        throw new IllegalStateException("a listener bug");
      }
      events.add(event);
    }

    @Override
    public void onMalformed(String accountId, String rawFrame, String reason) {
      malformed.add(new Malformed(accountId, rawFrame, reason));
    }
  }
}
