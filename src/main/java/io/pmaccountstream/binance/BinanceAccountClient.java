package io.pmaccountstream.binance;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pmaccountstream.binance.AccountInfoParser.BadPayloadException;
import io.pmaccountstream.binance.ErrorTaxonomy.Action;
import io.pmaccountstream.binance.ErrorTaxonomy.Verdict;
import io.pmaccountstream.binance.FetchOutcome.Failure;
import io.pmaccountstream.binance.FetchOutcome.Success;
import io.pmaccountstream.binance.WeightBudget.Admission;
import io.pmaccountstream.binance.WeightBudget.Priority;
import io.pmaccountstream.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Reads Portfolio Margin accounts ({@code GET /papi/v1/account}, weight 20). Blocking and thread
 * safe: one instance per process serves every account from a worker pool, because the {@link
 * WeightBudget} and the {@link ServerClock} it shares between them are facts about this IP and
 * Binance's clock, not about an account.
 *
 * <p>Each attempt reads like the architecture: await budget, sign, send, classify, parse ({@link
 * #attempt}). {@link ErrorTaxonomy} decides what a failed attempt means; transient failures are
 * retried with bounded, jittered exponential backoff, each attempt signed afresh; a {@code -1021}
 * re-syncs the clock and retries at once, once.
 *
 * <p>Never logs or returns the API key, the secret or a signature.
 */
public final class BinanceAccountClient implements AutoCloseable {

  /** Weight of {@code GET /papi/v1/account} in Binance's documentation. */
  public static final int ACCOUNT_WEIGHT = 20;

  private static final Logger LOG = LoggerFactory.getLogger(BinanceAccountClient.class);
  private static final String MDC_ACCOUNT_ID = "accountId";

  private final BinanceClientConfig config;
  private final Sleeper sleeper;
  private final ServerClock serverClock;
  private final WeightBudget budget;
  private final HttpTransport transport;
  private final ClockSync clockSync;
  private final Backoff backoff;
  private final Failures failures;
  private final AccountInfoParser parser;
  private final HeaderPolicy headers;
  private final ErrorAnswers errorAnswers;
  private final MeterRegistry registry;
  private final Set<String> unknownStatusesSeen = ConcurrentHashMap.newKeySet();

  /** A client on the system clock, sleeping for real. */
  public BinanceAccountClient(BinanceClientConfig config, MeterRegistry registry) {
    this(config, registry, Clock.systemUTC(), Sleeper.SYSTEM);
  }

  /** A client on the given clock and sleeper (tests advance time instead of sleeping). */
  public BinanceAccountClient(
      BinanceClientConfig config, MeterRegistry registry, Clock clock, Sleeper sleeper) {
    this(config, registry, clock, sleeper, () -> ThreadLocalRandom.current().nextDouble());
  }

  BinanceAccountClient(
      BinanceClientConfig config,
      MeterRegistry registry,
      Clock clock,
      Sleeper sleeper,
      DoubleSupplier jitter) {
    this.config = config;
    this.sleeper = sleeper;
    this.registry = registry;
    this.serverClock = new ServerClock(clock, registry, config.clockMaxOffset());
    this.budget =
        new WeightBudget(
            config.weightLimitPerMinute(),
            config.weightMaxShare(),
            config.rateLimitMaxPause(),
            serverClock,
            sleeper,
            registry);
    this.headers = new HeaderPolicy(config.weightLimitPerMinute(), registry);
    this.errorAnswers = new ErrorAnswers(headers, budget, serverClock);
    this.transport = new HttpTransport(config, clock);
    this.clockSync =
        new ClockSync(
            serverClock,
            transport,
            config.timeUrl(),
            config.clockResyncInterval(),
            clock,
            registry);
    this.backoff =
        Backoff.withEqualJitter(config.retryInitialBackoff(), config.retryMaxBackoff(), jitter);
    this.failures = new Failures(serverClock, config.maxBodyBytes());
    this.parser = new AccountInfoParser(InputPolicy.from(config));
  }

  /**
   * Reads {@code account} once, retrying transient failures within {@code
   * binance.retry.max.attempts}. Never throws for what Binance or the network do: every outcome is
   * a {@link FetchOutcome}. When interrupted, returns {@link FailureKind#INTERRUPTED} with the
   * thread's interrupt flag set again.
   */
  public FetchOutcome fetchAccount(AccountCredentials account) {
    return fetchAccount(account, Priority.ROUTINE);
  }

  /**
   * As {@link #fetchAccount(AccountCredentials)}, with this priority in the weight budget ({@link
   * Priority#URGENT}: a poll a push asked for).
   */
  public FetchOutcome fetchAccount(AccountCredentials account, Priority priority) {
    String outerAccountId = MDC.get(MDC_ACCOUNT_ID);
    MDC.put(MDC_ACCOUNT_ID, account.accountId());
    try {
      FetchOutcome outcome;
      try {
        outcome = fetchWithRetries(account, priority);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        outcome = failures.interrupted();
      }
      report(outcome);
      return outcome;
    } finally {
      if (outerAccountId == null) {
        MDC.remove(MDC_ACCOUNT_ID);
      } else {
        MDC.put(MDC_ACCOUNT_ID, outerAccountId);
      }
    }
  }

  /** When Binance's ban of this IP ends, while one lasts (HTTP 418). */
  public Optional<Instant> ipBannedUntil() {
    return budget.ipBannedUntil();
  }

  /** For the readiness check and the ops endpoints. */
  public BinanceHealth health() {
    return new BinanceHealth(
        budget.ipBannedUntil(),
        budget.rateLimitedUntil(),
        budget.usedWeight(),
        budget.allowedWeight(),
        serverClock.offset(),
        serverClock.lastPreciseSync());
  }

  /** The estimated Binance clock shared by every account. */
  public ServerClock serverClock() {
    return serverClock;
  }

  /** The request-weight budget shared by every account. */
  public WeightBudget weightBudget() {
    return budget;
  }

  @Override
  public void close() {
    transport.close();
  }

  private FetchOutcome fetchWithRetries(AccountCredentials account, Priority priority)
      throws InterruptedException {
    Retries retries = new Retries();
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      Attempt attempt = attempt(account, priority);
      if (attempt instanceof Attempt.NotSent notSent) {
        return failures.refused(notSent.refusal(), Optional.ofNullable(retries.last));
      }
      retries.sent++;
      if (attempt instanceof Attempt.Parsed parsed) {
        return success(parsed, retries.sent);
      }
      Attempt.Failed failed = (Attempt.Failed) attempt;
      if (!prepareRetry(failed, retries)) {
        return failed.failure();
      }
    }
  }

  /**
   * Gets ready for the next attempt after {@code failed}: re-syncs the clock, or backs off (a rate
   * limit's wait is the budget's). False when there is to be no next attempt.
   */
  private boolean prepareRetry(Attempt.Failed failed, Retries retries) throws InterruptedException {
    Verdict verdict = failed.verdict();
    retries.last = failed.failure();
    if (!verdict.retryable()) {
      return false;
    }
    if (verdict.action() == Action.RESYNC_CLOCK_AND_RETRY) {
      clockSync.resyncAfterRejection();
      if (!retries.resynced) {
        retries.resynced = true;
        LOG.info("Binance rejected our timestamp (-1021); clock re-synced, retrying at once");
        return true;
      }
    }
    retries.failed++;
    if (retries.failed >= config.retryMaxAttempts()) {
      return false;
    }
    if (verdict.action() == Action.WAIT_AND_RETRY) {
      LOG.info(
          "Attempt {} of {} rate-limited ({}); the weight budget decides when to retry",
          retries.failed,
          config.retryMaxAttempts(),
          failed.failure().message());
      return true;
    }
    Duration delay = backoff.delay(retries.failed - 1);
    LOG.info(
        "Attempt {} of {} failed ({}); retrying in {} ms",
        retries.failed,
        config.retryMaxAttempts(),
        failed.failure().message(),
        delay.toMillis());
    sleeper.sleep(delay);
    return true;
  }

  /** One request: await budget, sign, send, classify, parse. */
  private Attempt attempt(AccountCredentials account, Priority priority)
      throws InterruptedException {
    if (budget.await(ACCOUNT_WEIGHT, config.weightMaxWait(), priority)
        instanceof Admission.Refused refusal) {
      return new Attempt.NotSent(refusal);
    }
    SignedRequest request = sign(account);
    Received received = send(request);
    Exchange exchange = received.exchange();
    Verdict verdict = classify(exchange);
    return verdict.accepted()
        ? parse((Exchange.Response) exchange, request, received.usedWeight1m())
        : new Attempt.Failed(verdict, failures.of(verdict, exchange, request, Optional.empty()));
  }

  /** Signs with the timestamp of the server clock, re-measured first if due. */
  private SignedRequest sign(AccountCredentials account) {
    clockSync.refreshIfDue();
    return SignedRequest.forAccount(
        config.baseUrl(), account, config.recvWindow(), serverClock.now());
  }

  /**
   * Sends, and learns what every response tells: the server's clock (one sample; {@link
   * ServerClock} wants agreement) and this IP's weight, counted in the minute of our own clock.
   */
  private Received send(SignedRequest request) {
    Exchange exchange = transport.get(request.uri(), request.headers());
    Timer.builder("pmas.binance.requests")
        .description("HTTP requests to GET /papi/v1/account, by status")
        .tag("status", statusTag(exchange))
        .register(registry)
        .record(exchange.latency());
    if (!(exchange instanceof Exchange.Response response)) {
      return new Received(exchange, OptionalInt.empty());
    }
    headers
        .date(response)
        .ifPresent(date -> serverClock.observeDate(date, response.sentAt(), response.receivedAt()));
    OptionalInt usedWeight = headers.usedWeight1m(response);
    usedWeight.ifPresent(
        used -> budget.recordUsedWeight(used, serverClock.toServerTime(response.receivedAt())));
    return new Received(exchange, usedWeight);
  }

  /** What came back, with the used weight read once by the header policy. */
  private record Received(Exchange exchange, OptionalInt usedWeight1m) {}

  /** The taxonomy's verdict; rate limits and bans also stop every other account's requests. */
  private Verdict classify(Exchange exchange) {
    if (exchange instanceof Exchange.TransportError error) {
      return ErrorTaxonomy.forTransportError(error.error());
    }
    Exchange.Response response = (Exchange.Response) exchange;
    Verdict verdict = errorAnswers.classify(response);
    return verdict.accepted() && response.truncated() ? ErrorTaxonomy.forBadPayload() : verdict;
  }

  private Attempt parse(
      Exchange.Response response, SignedRequest request, OptionalInt usedWeight1m) {
    try {
      AccountInfo account =
          parser.parse(response.body(), serverClock.toServerTime(response.receivedAt()));
      if (account.status() == PmAccountStatus.UNKNOWN
          && unknownStatusesSeen.add(account.statusRaw())) {
        LOG.warn(
            "Binance sent accountStatus '{}', which is new to us: reported as UNKNOWN",
            account.statusRaw());
      }
      return new Attempt.Parsed(account, response, usedWeight1m);
    } catch (BadPayloadException e) {
      Verdict verdict = ErrorTaxonomy.forBadPayload();
      return new Attempt.Failed(
          verdict, failures.of(verdict, response, request, Optional.of(e.getMessage())));
    }
  }

  private Success success(Attempt.Parsed parsed, int attempts) {
    Exchange.Response response = parsed.response();
    return new Success(
        parsed.account(),
        new ResponseMeta(
            serverClock.toServerTime(response.receivedAt()),
            response.latency(),
            parsed.usedWeight1m(),
            attempts));
  }

  private void report(FetchOutcome outcome) {
    String tag =
        outcome instanceof Failure failure
            ? failure.kind().name().toLowerCase(Locale.ROOT)
            : "success";
    Counter.builder("pmas.binance.fetches")
        .description("Account fetches, by outcome")
        .tag("outcome", tag)
        .register(registry)
        .increment();
    if (outcome instanceof Success success) {
      LOG.debug(
          "Account read in {} ms ({} attempts, used weight {})",
          success.meta().latency().toMillis(),
          success.meta().attempts(),
          success.meta().usedWeight1m());
    } else {
      Failure failure = (Failure) outcome;
      if (failure.accountFailed()) {
        LOG.error(
            "Account cannot be read: {}: {} | what to do: {}",
            failure.kind(),
            failure.message(),
            failure.advice());
      } else if (failure.kind() != FailureKind.INTERRUPTED) {
        LOG.warn("Account not read: {}: {}", failure.kind(), failure.message());
      }
    }
  }

  private static String statusTag(Exchange exchange) {
    return exchange instanceof Exchange.Response response
        ? Integer.toString(response.status())
        : "io_error";
  }

  /** Where one fetch stands. */
  private static final class Retries {
    /** HTTP requests sent. */
    int sent;

    /** Failed attempts that count against {@code binance.retry.max.attempts}. */
    int failed;

    /** The one immediate retry after a -1021 is used. */
    boolean resynced;

    Failure last;
  }

  /** What one attempt came to. */
  private sealed interface Attempt {
    /** The budget refused: nothing was sent. */
    record NotSent(Admission.Refused refusal) implements Attempt {}

    record Parsed(AccountInfo account, Exchange.Response response, OptionalInt usedWeight1m)
        implements Attempt {}

    record Failed(Verdict verdict, Failure failure) implements Attempt {}
  }
}
