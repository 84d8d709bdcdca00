package io.pmaccountstream.simulator;

import io.pmaccountstream.simulator.api.Authenticator;
import io.pmaccountstream.simulator.api.BinanceError;
import io.pmaccountstream.simulator.api.WeightLimiter;
import io.pmaccountstream.simulator.fault.Fault;
import io.pmaccountstream.simulator.fault.FaultPlan;
import io.pmaccountstream.simulator.http.HttpRequest;
import io.pmaccountstream.simulator.http.HttpResponse;
import io.pmaccountstream.simulator.http.RequestHandler;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves Binance's endpoints: {@code GET /papi/v1/account} (weight 20, SIGNED), {@code GET
 * /papi/v1/ping} (weight 1), {@code POST/PUT/DELETE /papi/v1/listenKey} (weight 1, USER_STREAM) and
 * {@code GET /fapi/v1/time} (weight 1, counted in a separate fapi budget). Every response carries
 * {@code Date} and {@code X-MBX-USED-WEIGHT-1M}; faults and latency apply to account requests that
 * pass the weight and signature checks.
 */
final class SimulatorHandler implements RequestHandler {

  static final int ACCOUNT_WEIGHT = 20;
  static final String USED_WEIGHT_HEADER = "X-MBX-USED-WEIGHT-1M";
  private static final java.util.regex.Pattern ERROR_CODE =
      java.util.regex.Pattern.compile("\"code\":(-?\\d+)");
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  /** Sleeps for simulated latency; tests replace it so they never sleep. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final SimClock clock;
  private final Map<String, SimulatedAccount> accounts;
  private final Authenticator authenticator;
  private final WeightLimiter papiWeights;
  private final WeightLimiter fapiWeights;
  private final FaultPlan faults;
  private final RequestStats stats;
  private final Sleeper sleeper;
  private final ListenKeys listenKeys;
  private final List<ServeListener> listeners = new CopyOnWriteArrayList<>();
  private final ServeLog serveLog = new ServeLog();
  private final long seed;
  private final Map<String, Integer> accountIndex = new HashMap<>();
  private final Map<String, String> accountByKey = new HashMap<>();
  private final Map<String, AtomicLong> hostileCounts = new ConcurrentHashMap<>();
  private volatile boolean hostileEnabled = true;

  SimulatorHandler(
      SimClock clock,
      List<SimulatedAccount> accountOrder,
      long seed,
      Map<String, SimulatedAccount> accounts,
      Authenticator authenticator,
      WeightLimiter papiWeights,
      WeightLimiter fapiWeights,
      FaultPlan faults,
      RequestStats stats,
      Sleeper sleeper,
      ListenKeys listenKeys) {
    this.clock = clock;
    this.listenKeys = listenKeys;
    this.accounts = accounts;
    this.authenticator = authenticator;
    this.papiWeights = papiWeights;
    this.fapiWeights = fapiWeights;
    this.faults = faults;
    this.stats = stats;
    this.sleeper = sleeper;
    this.seed = seed;
    for (SimulatedAccount account : accountOrder) {
      accountIndex.put(account.id(), accountIndex.size());
      accountByKey.put(account.apiKey(), account.id());
    }
  }

  ServeLog serveLog() {
    return serveLog;
  }

  /** Turns the hostile answers off (they are served as good states) or back on. */
  void setHostileEnabled(boolean enabled) {
    hostileEnabled = enabled;
  }

  void addListener(ServeListener listener) {
    listeners.add(listener);
  }

  @Override
  public HttpResponse handle(HttpRequest request) throws InterruptedException {
    String endpoint = endpointOf(request.path());
    HttpResponse response;
    if (endpoint.equals(RequestStats.OTHER) || !isServedMethod(endpoint, request.method())) {
      response = error(BinanceError.notFound(request.method(), request.path()));
      response = finish(response, papiWeights.used(request.clientAddress()));
    } else {
      response =
          switch (endpoint) {
            case RequestStats.ACCOUNT -> account(request);
            case RequestStats.PING -> simple(request, papiWeights, "{}");
            case RequestStats.LISTEN_KEY -> listenKey(request);
            default ->
                simple(request, fapiWeights, "{\"serverTime\":" + clock.serverMillis() + "}");
          };
    }
    stats.record(
        endpoint,
        response.delivery() == HttpResponse.Delivery.RESET
            ? "reset"
            : String.valueOf(response.status()));
    return response;
  }

  private HttpResponse simple(HttpRequest request, WeightLimiter weights, String body) {
    WeightLimiter.Decision weight = weights.acquire(request.clientAddress(), 1);
    if (!weight.allowed()) {
      return rateLimited(request, weights, weight);
    }
    return finish(HttpResponse.json(200, body), weight.usedWeight());
  }

  private static boolean isServedMethod(String endpoint, String method) {
    if (endpoint.equals(RequestStats.LISTEN_KEY)) {
      return method.equals("POST") || method.equals("PUT") || method.equals("DELETE");
    }
    return method.equals("GET");
  }

  /**
   * {@code POST/PUT/DELETE /papi/v1/listenKey}: weight 1, USER_STREAM (API key only). POST answers
   * the account's key (the valid one, extended, or a new one); PUT extends it; DELETE closes it;
   * PUT and DELETE without a valid key are {@code -1125}.
   */
  private HttpResponse listenKey(HttpRequest request) {
    WeightLimiter.Decision weight = papiWeights.acquire(request.clientAddress(), 1);
    if (!weight.allowed()) {
      return rateLimited(request, papiWeights, weight);
    }
    Authenticator.Result auth = authenticator.authenticateApiKey(request);
    if (auth instanceof Authenticator.Rejected rejected) {
      return finish(error(rejected.error()), weight.usedWeight());
    }
    String accountId = ((Authenticator.Accepted) auth).accountId();
    HttpResponse response =
        switch (request.method()) {
          case "POST" ->
              HttpResponse.json(200, "{\"listenKey\":\"" + listenKeys.create(accountId) + "\"}");
          case "PUT" ->
              listenKeys.keepAlive(accountId)
                  ? HttpResponse.json(200, "{}")
                  : error(BinanceError.listenKeyNotFound());
          default ->
              listenKeys.close(accountId).isPresent()
                  ? HttpResponse.json(200, "{}")
                  : error(BinanceError.listenKeyNotFound());
        };
    return finish(response, weight.usedWeight());
  }

  private HttpResponse account(HttpRequest request) throws InterruptedException {
    WeightLimiter.Decision weight = papiWeights.acquire(request.clientAddress(), ACCOUNT_WEIGHT);
    if (!weight.allowed()) {
      return ruleAnswer(request, rateLimited(request, papiWeights, weight));
    }
    Authenticator.Result auth = authenticator.authenticate(request, clock.serverMillis());
    if (auth instanceof Authenticator.Rejected rejected) {
      return ruleAnswer(request, finish(error(rejected.error()), weight.usedWeight()));
    }
    SimulatedAccount account = accounts.get(((Authenticator.Accepted) auth).accountId());
    long number = account.countRequest();
    FaultPlan.Decision decision = faults.decide(account.id());
    if (!decision.latency().isZero()) {
      sleeper.sleep(decision.latency());
    }
    AccountState state = account.current();
    if (decision.fault().isPresent()
        && !(decision.fault().get() == Fault.HOSTILE && !hostileEnabled)) {
      Fault fault = decision.fault().get();
      stats.recordFault(fault);
      if (fault == Fault.HOSTILE) {
        return hostile(account, number, state, weight.usedWeight());
      }
      HttpResponse faulty = finish(faulty(state, fault, decision.detail()), weight.usedWeight());
      return logged(faulty, account.id(), number, ServedAnswer.Kind.FAULT, fault.name(), null);
    }
    HttpResponse ok =
        HttpResponse.of(200, "application/json;charset=UTF-8", AccountJson.render(state))
            .onDelivered(() -> delivered(account, state));
    return logged(
        finish(ok, weight.usedWeight()),
        account.id(),
        number,
        ServedAnswer.Kind.GOOD,
        ServedAnswer.GOOD,
        state);
  }

  /** The account's next answer from the hostile corpus; its own headers win over ours. */
  private HttpResponse hostile(
      SimulatedAccount account, long number, AccountState state, int usedWeight) {
    long k = hostileCounts.computeIfAbsent(account.id(), id -> new AtomicLong()).getAndIncrement();
    HostileAnswer entry =
        HostileCorpus.pick(seed, accountIndex.get(account.id()), accountIndex.size(), k);
    HttpResponse rendered =
        entry.render(
            new HostileAnswer.Context(state, clock.serverMillis(), faults.config().hostileDrip()));
    HttpResponse response = finish(rendered, usedWeight);
    for (Map.Entry<String, String> header : rendered.headers().entrySet()) {
      response = response.withHeader(header.getKey(), header.getValue());
    }
    AccountState shown =
        entry.accounting() == HostileAnswer.Accounting.STATE_OR_DEAD_LETTER
                || entry.name().equals("slow-drip")
            ? state
            : null;
    return logged(response, account.id(), number, ServedAnswer.Kind.HOSTILE, entry.name(), shown);
  }

  private HttpResponse ruleAnswer(HttpRequest request, HttpResponse response) {
    String account = request.header("x-mbx-apikey").map(accountByKey::get).orElse(null);
    java.util.regex.Matcher code =
        ERROR_CODE.matcher(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
    return logged(
        response,
        account == null ? "?" : account,
        0,
        ServedAnswer.Kind.RULE,
        "rule:" + response.status() + ":" + (code.find() ? code.group(1) : ""),
        null);
  }

  /**
   * Records the answer in the serve log: once written (a long body: once its head is, see {@link
   * HttpResponse#onDelivered}), or now for an answer that is cut short, reset or dripped.
   */
  private HttpResponse logged(
      HttpResponse response,
      String accountId,
      long number,
      ServedAnswer.Kind kind,
      String name,
      AccountState state) {
    Optional<AccountState> shown = Optional.ofNullable(state);
    if (response.delivery() != HttpResponse.Delivery.COMPLETE) {
      serveLog.record(
          accountId,
          number,
          kind,
          name,
          response,
          shown,
          Instant.ofEpochMilli(clock.serverMillis()));
      return response;
    }
    Runnable before = response.onDelivered();
    HttpResponse recorded = response;
    return response.onDelivered(
        () -> {
          serveLog.record(
              accountId,
              number,
              kind,
              name,
              recorded,
              shown,
              Instant.ofEpochMilli(clock.serverMillis()));
          before.run();
        });
  }

  private void delivered(SimulatedAccount account, AccountState state) {
    Instant at = Instant.ofEpochMilli(clock.serverMillis());
    account.delivered(state, at);
    for (ServeListener listener : listeners) {
      listener.served(state, at);
    }
  }

  private static HttpResponse faulty(AccountState state, Fault fault, long detail) {
    return switch (fault) {
      case CONNECTION_RESET -> HttpResponse.reset();
      case TRUNCATED_BODY ->
          HttpResponse.of(200, "application/json;charset=UTF-8", AccountJson.render(state))
              .withDelivery(HttpResponse.Delivery.TRUNCATED);
      case SERVER_ERROR_500 -> error(BinanceError.internalError());
      case SERVER_ERROR_503 -> error(BinanceError.unknownError());
      case HTML_PAGE -> HttpResponse.of(200, "text/html", AccountJson.html());
      default ->
          HttpResponse.of(
              200, "application/json;charset=UTF-8", AccountJson.corrupted(state, fault, detail));
    };
  }

  private HttpResponse rateLimited(
      HttpRequest request, WeightLimiter weights, WeightLimiter.Decision weight) {
    BinanceError error =
        weight.outcome() == WeightLimiter.Outcome.BANNED
            ? BinanceError.banned(request.clientAddress(), weight.bannedUntilMillis())
            : BinanceError.tooMuchWeight(weights.limit());
    return finish(
        error(error).withHeader("Retry-After", String.valueOf(weight.retryAfterSeconds())),
        weight.usedWeight());
  }

  private static HttpResponse error(BinanceError error) {
    return HttpResponse.json(error.httpStatus(), error.json());
  }

  private HttpResponse finish(HttpResponse response, int usedWeight) {
    if (response.delivery() == HttpResponse.Delivery.RESET) {
      return response;
    }
    return response
        .withHeader("Date", HTTP_DATE.format(Instant.ofEpochMilli(clock.serverMillis())))
        .withHeader(USED_WEIGHT_HEADER, String.valueOf(usedWeight));
  }

  private static String endpointOf(String path) {
    return switch (path) {
      case RequestStats.ACCOUNT, RequestStats.PING, RequestStats.TIME, RequestStats.LISTEN_KEY ->
          path;
      default -> RequestStats.OTHER;
    };
  }
}
