package io.pmaccountstream.simulator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.simulator.api.Authenticator;
import io.pmaccountstream.simulator.api.SignatureVerifier;
import io.pmaccountstream.simulator.api.WeightLimiter;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.simulator.fault.FaultPlan;
import io.pmaccountstream.simulator.http.RequestHandler;
import io.pmaccountstream.simulator.http.SimHttpServer;
import io.pmaccountstream.simulator.scenario.AccountSpec;
import io.pmaccountstream.simulator.scenario.KeyType;
import io.pmaccountstream.simulator.scenario.Scenario;
import io.pmaccountstream.simulator.scenario.Scenarios;
import io.pmaccountstream.simulator.scenario.StatusThresholds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for Binance's Portfolio Margin API, following Binance's documented rules
 * independently of this project's client: {@code GET /papi/v1/account} (API key, signature,
 * timestamp and recvWindow checks, per-IP weight with 429 and 418), {@code GET /papi/v1/ping} and
 * {@code GET /fapi/v1/time}; the user-data stream ({@code /papi/v1/listenKey} and a WebSocket
 * endpoint at {@link #wsBaseUrl()}); accounts that move along scenarios; injected faults. Usable
 * in-process:
 *
 * <pre>{@code
 * try (BinancePmSimulator sim = BinancePmSimulator.builder().scenario("margin-call").speed(20).build().start()) {
 *   String url = sim.baseUrl();
 *   Change change = sim.account("margin-call-1").set(new BigDecimal("1.1"), "REDUCE_ONLY");
 *   change.served().get(5, SECONDS);
 * }
 * }</pre>
 */
public final class BinancePmSimulator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BinancePmSimulator.class);

  private final SimulatorConfig config;
  private final Scenario scenario;
  private final SimClock clock;
  private final Map<String, SimulatedAccount> accounts;
  private final RequestStats stats;
  private final SimulatorHandler handler;
  private final SimHttpServer server;
  private final WeightLimiter papiWeights;
  private final ListenKeys listenKeys;
  private final UserDataStreamServer streams;
  private volatile boolean started;

  private BinancePmSimulator(
      SimulatorConfig config,
      Scenario scenario,
      Clock baseClock,
      MeterRegistry registry,
      SimulatorHandler.Sleeper sleeper,
      UserDataRules userData) {
    this.config = config;
    this.scenario = scenario;
    this.clock = new SimClock(baseClock, config.clockSkew(), config.speed());
    this.accounts = new LinkedHashMap<>();
    Map<String, Authenticator.Key> keys = new HashMap<>();
    for (AccountSpec spec : scenario.accounts()) {
      SimulatedAccount account =
          new SimulatedAccount(spec, scenario.thresholds(), config.seed(), clock);
      accounts.put(spec.id(), account);
      keys.put(
          spec.credentials().apiKey(),
          new Authenticator.Key(spec.id(), SignatureVerifier.of(spec.credentials())));
    }
    this.stats = new RequestStats(registry);
    Clock serverClock = clock.serverClock();
    this.papiWeights = new WeightLimiter(config.weightLimit(), config.banDuration(), serverClock);
    this.listenKeys = new ListenKeys(clock, userData.listenKeyValidity());
    this.handler =
        new SimulatorHandler(
            clock,
            List.copyOf(accounts.values()),
            config.seed(),
            Map.copyOf(accounts),
            new Authenticator(keys),
            papiWeights,
            new WeightLimiter(config.fapiWeightLimit(), config.banDuration(), serverClock),
            new FaultPlan(config.faults(), config.seed()),
            stats,
            sleeper,
            listenKeys);
    this.streams =
        new UserDataStreamServer(
            clock,
            List.copyOf(accounts.values()),
            scenario.thresholds().levels().stream().map(StatusThresholds.Level::below).toList(),
            listenKeys,
            userData.maxConnectionAge(),
            userData.dropRate(),
            config.seed(),
            config.bindAddress());
    this.server =
        new SimHttpServer(
            address(config.bindAddress()),
            config.port(),
            config.maxConnections(),
            config.idleTimeout(),
            handler);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A simulator for a configuration as {@code simulate} reads it; scenarios resolved from it. */
  public static BinancePmSimulator create(SimulatorConfig config, MeterRegistry registry) {
    return builder().config(config).meterRegistry(registry).build();
  }

  /**
   * Binds and starts serving; the scenario clock starts at zero now.
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public BinancePmSimulator start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on " + config.bindAddress() + ":" + config.port(), e);
    }
    clock.restart();
    streams.start();
    started = true;
    log.info(
        "Binance PM simulator on {} (user-data streams {}) with {} accounts (speed {}, skew {},"
            + " weight limit {}/min)",
        baseUrl(),
        wsBaseUrl(),
        accounts.size(),
        config.speed(),
        config.clockSkew(),
        config.weightLimit());
    return this;
  }

  /** For example {@code http://127.0.0.1:38211}; use it as the Binance base URL. */
  public String baseUrl() {
    requireStarted();
    String host =
        config.bindAddress().contains(":")
            ? "[" + config.bindAddress() + "]"
            : config.bindAddress();
    return "http://" + host + ":" + server.port();
  }

  /**
   * The user-data stream endpoint's base, for example {@code ws://127.0.0.1:38212/pm/ws}: a stream
   * is {@code wsBaseUrl() + "/" + listenKey}. Use it as {@code binance.ws.base.url}.
   */
  public String wsBaseUrl() {
    requireStarted();
    String host =
        config.bindAddress().contains(":")
            ? "[" + config.bindAddress() + "]"
            : config.bindAddress();
    return "ws://" + host + ":" + streams.port() + UserDataStreamServer.PATH;
  }

  /** Every frame pushed on the user-data streams, and every stream connection, so far. */
  public PushLog pushLog() {
    return streams.pushLog();
  }

  /** Closes the account's open stream connections abruptly (no close frame); returns how many. */
  public int dropStreams(String accountId) {
    account(accountId);
    return streams.drop(accountId);
  }

  /**
   * Sends a frame exactly as given to the account's open stream connections (to test a client's
   * strictness; logged with type {@code raw}); returns to how many connections.
   */
  public int pushRawFrame(String accountId, String frame) {
    account(accountId);
    return streams.pushRaw(accountId, frame);
  }

  /** Turns the pongs to the clients' pings off (a half-dead connection) or back on. */
  public void setStreamPongs(boolean answer) {
    streams.answerPings(answer);
  }

  /** The account's open user-data stream connections now. */
  public int openStreams(String accountId) {
    account(accountId);
    return streams.openConnections(accountId);
  }

  /** The account's valid listen key now (tests compare it with the client's). */
  public Optional<String> listenKey(String accountId) {
    account(accountId);
    return listenKeys.keyOf(accountId);
  }

  public URI baseUri() {
    return URI.create(baseUrl());
  }

  public int port() {
    requireStarted();
    return server.port();
  }

  /**
   * @throws IllegalArgumentException for an id the scenario does not have
   */
  public SimulatedAccount account(String id) {
    SimulatedAccount account = accounts.get(id);
    if (account == null) {
      throw new IllegalArgumentException(
          "no simulated account '" + id + "' (have " + accounts.keySet() + ")");
    }
    return account;
  }

  public List<SimulatedAccount> accounts() {
    return List.copyOf(accounts.values());
  }

  public Scenario scenario() {
    return scenario;
  }

  public SimulatorConfig config() {
    return config;
  }

  public RequestStats stats() {
    return stats;
  }

  /**
   * Every answer to {@code GET /papi/v1/account} so far: good states, hostile answers, faults and
   * rule rejections, per account and request.
   */
  public ServeLog serveLog() {
    return handler.serveLog();
  }

  /**
   * Turns the hostile answers ({@code simulator.fault.hostile.rate}) off, so that requests that
   * would have had one get the good state, or back on. The schedule does not shift: the n-th
   * request of an account is hostile or not whatever this says.
   */
  public void setHostileAnswers(boolean enabled) {
    handler.setHostileEnabled(enabled);
  }

  /** Called for every complete 200 account response. */
  public void addServeListener(ServeListener listener) {
    handler.addListener(listener);
  }

  /** The simulator's server clock (ms), skew included: what {@code /fapi/v1/time} answers. */
  public long serverTime() {
    return clock.serverMillis();
  }

  public Duration clockSkew() {
    return clock.skew();
  }

  /** Moves the server clock from now on (a clock jump, as a client sees after an NTP step). */
  public void setClockSkew(Duration skew) {
    clock.setSkew(skew);
  }

  /** Scenario time since start (ms), at the configured speed. */
  public long scenarioTime() {
    return clock.scenarioMillis();
  }

  /** Client connections open now (each holds a server thread). */
  public int openConnections() {
    return server.openConnections();
  }

  /** Weight the IP has used in the current minute of the server clock. */
  public int usedWeight(String ip) {
    return papiWeights.used(ip);
  }

  /** Writes the accounts' credentials as poller configuration (see {@code CredentialsFile}). */
  public void writeCredentials(Path file) throws IOException {
    CredentialsFile.write(file, baseUrl(), accounts());
  }

  /** The request handling without the network, for unit tests. */
  RequestHandler handler() {
    return handler;
  }

  @Override
  public void close() {
    try {
      streams.close();
    } finally {
      server.close();
    }
  }

  private void requireStarted() {
    if (!started) {
      throw new IllegalStateException("the simulator is not started");
    }
  }

  private static InetAddress address(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve bind address '" + host + "'", e);
    }
  }

  /** Configures a simulator in code; defaults as {@link SimulatorConfig#builder()}. */
  public static final class Builder {
    private SimulatorConfig.Builder config = SimulatorConfig.builder();
    private Optional<Scenario> scenario = Optional.empty();
    private Clock clock = Clock.systemUTC();
    private MeterRegistry registry;
    private SimulatorHandler.Sleeper sleeper =
        duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
    private Duration listenKeyValidity = UserDataRules.LISTEN_KEY_VALIDITY;
    private Duration wsMaxConnectionAge = UserDataRules.MAX_CONNECTION_AGE;
    private double wsDropRate;

    private Builder() {}

    /**
     * How long a listen key lives after its creation or last keep-alive, on the scenario clock
     * (Binance: 60 minutes). Tests shorten it.
     */
    public Builder listenKeyValidity(Duration value) {
      listenKeyValidity = value;
      return this;
    }

    /**
     * Age (scenario clock) at which a user-data stream connection is closed (Binance: 24 hours).
     */
    public Builder wsMaxConnectionAge(Duration value) {
      wsMaxConnectionAge = value;
      return this;
    }

    /** Chance, per frame to push, that the connection is dropped abruptly instead (default 0). */
    public Builder wsDropRate(double value) {
      wsDropRate = value;
      return this;
    }

    /** Starts from a configuration; later calls override its values. */
    public Builder config(SimulatorConfig value) {
      config = value.toBuilder();
      return this;
    }

    /** Built-in scenario names or scenario file paths. */
    public Builder scenario(String... namesOrFiles) {
      config.scenario(namesOrFiles);
      scenario = Optional.empty();
      return this;
    }

    /** A scenario built in code (wins over names). */
    public Builder scenario(Scenario value) {
      scenario = Optional.of(value);
      return this;
    }

    public Builder accounts(int value) {
      config.accounts(value);
      return this;
    }

    public Builder seed(long value) {
      config.seed(value);
      return this;
    }

    public Builder speed(double value) {
      config.speed(value);
      return this;
    }

    public Builder clockSkew(Duration value) {
      config.clockSkew(value);
      return this;
    }

    public Builder weightLimit(int value) {
      config.weightLimit(value);
      return this;
    }

    public Builder banDuration(Duration value) {
      config.banDuration(value);
      return this;
    }

    public Builder faults(FaultConfig value) {
      config.faults(value);
      return this;
    }

    public Builder port(int value) {
      config.port(value);
      return this;
    }

    public Builder maxConnections(int value) {
      config.maxConnections(value);
      return this;
    }

    public Builder idleTimeout(Duration value) {
      config.idleTimeout(value);
      return this;
    }

    public Builder keyType(KeyType value) {
      config.keyType(value);
      return this;
    }

    /** The base clock both simulator clocks read (default: system UTC). */
    public Builder clock(Clock value) {
      clock = value;
      return this;
    }

    public Builder meterRegistry(MeterRegistry value) {
      registry = value;
      return this;
    }

    Builder sleeper(SimulatorHandler.Sleeper value) {
      sleeper = value;
      return this;
    }

    public BinancePmSimulator build() {
      SimulatorConfig built = config.build();
      Scenario resolved =
          scenario.orElseGet(
              () ->
                  Scenarios.resolve(
                      built.scenarios(), built.accounts(), built.seed(), built.keyType()));
      return new BinancePmSimulator(
          built,
          resolved,
          clock,
          registry == null ? new SimpleMeterRegistry() : registry,
          sleeper,
          new UserDataRules(listenKeyValidity, wsMaxConnectionAge, wsDropRate));
    }
  }
}
