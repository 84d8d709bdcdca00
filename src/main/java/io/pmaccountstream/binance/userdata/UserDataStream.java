package io.pmaccountstream.binance.userdata;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.config.CauseChain;
import io.pmaccountstream.retry.Backoff;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One account's user-data stream, kept up on its own: before each connection {@code POST
 * /papi/v1/listenKey} (the valid key, extended, or a new one), then the WebSocket {@code
 * <binance.ws.base.url>/<listenKey>}; a keep-alive {@code PUT} every {@code
 * binance.user.stream.keepalive}, and on {@code -1125} (or a {@code listenKeyExpired} event) a new
 * key and a new connection; after a drop, an error or a refused upgrade a reconnect with
 * exponential backoff; at {@code binance.user.stream.max.connection.age} a proactive reconnect
 * before Binance's 24-hour cut; a ping every {@code binance.user.stream.ping.interval}, and a
 * connection that sends no frame within {@code binance.user.stream.pong.timeout} after one is
 * replaced. {@link #close()} closes the connection and {@code DELETE}s the key.
 *
 * <p>Its tasks run on the shared scheduler, one at a time (the stream's lock); frames are parsed on
 * the WebSocket's thread and handed to the listener there. Every task and callback catches what it
 * did not expect, counts it ({@code pmas.userdata.loop.errors}) and goes on: nothing a frame or the
 * network does ends the stream. The listen key is a bearer credential: only its first {@value
 * #KEY_PREFIX_LENGTH} characters are logged.
 */
final class UserDataStream {

  private static final Logger LOG = LoggerFactory.getLogger(UserDataStream.class);
  static final int KEY_PREFIX_LENGTH = 6;

  /** A run of letters and digits as long as a listen key (Binance's are 64): cut in logs. */
  private static final Pattern LONG_TOKEN =
      Pattern.compile("([A-Za-z0-9]{" + KEY_PREFIX_LENGTH + "})[A-Za-z0-9]{26,}");

  private static final ByteBuffer PING = ByteBuffer.wrap("pmas".getBytes(StandardCharsets.UTF_8));

  /** Event types counted by name; others as {@code other}, so the tag stays bounded. */
  private static final Set<String> KNOWN_TYPES =
      Set.of(
          "riskLevelChange",
          "ACCOUNT_UPDATE",
          "ACCOUNT_CONFIG_UPDATE",
          "ORDER_TRADE_UPDATE",
          "CONDITIONAL_ORDER_TRADE_UPDATE",
          "outboundAccountPosition",
          "balanceUpdate",
          "executionReport",
          "liabilityChange",
          "openOrderLoss",
          "listenKeyExpired");

  /** Reasons of a reconnect, as the {@code reason} tag. */
  static final String CLOSED = "closed";

  static final String ERROR = "error";
  static final String CONNECT_FAILED = "connect-failed";
  static final String KEY_FAILED = "key-failed";
  static final String KEY_EXPIRED = "key-expired";
  static final String KEY_RECREATED = "key-recreated";
  static final String PONG_TIMEOUT = "pong-timeout";
  static final String MAX_AGE = "max-age";

  private final AccountCredentials account;
  private final UserDataStreamConfig config;
  private final ListenKeyClient keys;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final UserDataFrameParser parser;
  private final UserDataListener listener;
  private final Clock clock;
  private final Backoff backoff;
  private final MeterRegistry registry;
  private final Gauge connectedGauge;
  private final Duration connectTimeout;

  private final Counter malformed;
  private final Counter renewals;
  private final Counter renewalFailures;
  private final Counter keysCreated;
  private final Counter keysRecreated;
  private final Map<String, Counter> events = new ConcurrentHashMap<>();
  private final Map<String, Counter> reconnectCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> loopErrors = new ConcurrentHashMap<>();
  private final AtomicLong reconnects = new AtomicLong();

  /** Written under this; volatile so that the WebSocket threads can redact it. */
  private volatile String listenKey;

  // Guarded by this.
  private WebSocket socket;
  private long generation;
  private int failedAttempts;
  private boolean connecting;
  private boolean hadKey;
  private boolean stopped;
  private ScheduledFuture<?> keepAliveTask;
  private ScheduledFuture<?> pingTask;
  private ScheduledFuture<?> maxAgeTask;
  private ScheduledFuture<?> reconnectTask;

  private volatile boolean connected;
  private volatile Instant connectedSince;
  private volatile Instant lastFrameAt;
  private volatile Instant lastEventAt;
  private volatile String lastReason;

  UserDataStream(
      AccountCredentials account,
      UserDataStreamConfig config,
      ListenKeyClient keys,
      HttpClient http,
      ScheduledExecutorService scheduler,
      UserDataFrameParser parser,
      UserDataListener listener,
      Clock clock,
      Backoff backoff,
      Duration connectTimeout,
      MeterRegistry registry) {
    this.account = account;
    this.connectTimeout = connectTimeout;
    this.config = config;
    this.keys = keys;
    this.http = http;
    this.scheduler = scheduler;
    this.parser = parser;
    this.listener = listener;
    this.clock = clock;
    this.backoff = backoff;
    this.registry = registry;
    String id = account.accountId();
    this.connectedGauge =
        Gauge.builder("pmas.userdata.connected", this, s -> s.connected ? 1 : 0)
            .description("1 while the account's user-data stream has an open connection, else 0")
            .tag("account", id)
            .register(registry);
    this.malformed =
        Counter.builder("pmas.userdata.malformed")
            .description("User-data stream frames that were not well-formed events")
            .tag("account", id)
            .register(registry);
    this.renewals =
        Counter.builder("pmas.userdata.key.renewals")
            .description("Listen keys kept alive (PUT /papi/v1/listenKey)")
            .tag("account", id)
            .register(registry);
    this.renewalFailures =
        Counter.builder("pmas.userdata.key.renewal.failures")
            .description("Keep-alives that failed for another reason than -1125")
            .tag("account", id)
            .register(registry);
    this.keysCreated =
        Counter.builder("pmas.userdata.key.creations")
            .description("Listen keys created (the first, and new ones after expiry or -1125)")
            .tag("account", id)
            .tag("kind", "first")
            .register(registry);
    this.keysRecreated =
        Counter.builder("pmas.userdata.key.creations")
            .description("Listen keys created (the first, and new ones after expiry or -1125)")
            .tag("account", id)
            .tag("kind", "recreated")
            .register(registry);
  }

  String accountId() {
    return account.accountId();
  }

  synchronized void start() {
    if (stopped || keepAliveTask != null) {
      return;
    }
    long keepAlive = config.keepalive().toMillis();
    keepAliveTask =
        scheduler.scheduleAtFixedRate(
            () -> guarded("keepalive", this::keepAlive),
            keepAlive,
            keepAlive,
            TimeUnit.MILLISECONDS);
    reconnectTask = schedule("connect", this::connect, Duration.ZERO);
  }

  StreamHealth health() {
    return new StreamHealth(
        connected,
        Optional.ofNullable(connected ? connectedSince : null),
        Optional.ofNullable(lastFrameAt),
        Optional.ofNullable(lastEventAt),
        reconnects.get(),
        Optional.ofNullable(lastReason));
  }

  /** Closes the connection and deletes the key; the stream does not reconnect afterwards. */
  void close() {
    WebSocket open;
    String key;
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
      generation++;
      // the gauge holds this stream: a later stream of the account (assigned again) registers anew
      registry.remove(connectedGauge);
      cancel(keepAliveTask, pingTask, maxAgeTask, reconnectTask);
      open = socket;
      socket = null;
      connected = false;
      key = listenKey;
      listenKey = null;
    }
    if (open != null) {
      try {
        open.sendClose(WebSocket.NORMAL_CLOSURE, "closing").get(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.debug("Account {}: the stream did not close cleanly: {}", accountId(), e.toString());
      } finally {
        open.abort();
      }
    }
    if (key != null) {
      ListenKeyClient.Answer answer = keys.close(account);
      LOG.info(
          "Account {}: user-data stream closed, listen key {} deleted: {}",
          accountId(),
          prefix(key),
          answer);
    }
  }

  // --- tasks (scheduler threads) -------------------------------------------------------------

  private synchronized void connect() {
    reconnectTask = null;
    if (stopped || socket != null || connecting) {
      return;
    }
    ListenKeyClient.Answer answer = keys.create(account);
    if (!(answer instanceof ListenKeyClient.Answer.Key created)) {
      LOG.warn("Account {}: cannot get a listen key: {}", accountId(), answer);
      retryLater(KEY_FAILED);
      return;
    }
    if (!hadKey) {
      hadKey = true;
      keysCreated.increment();
      LOG.info("Account {}: listen key {} created", accountId(), prefix(created.listenKey()));
    } else if (!created.listenKey().equals(listenKey)) {
      keysRecreated.increment();
      LOG.info("Account {}: new listen key {}", accountId(), prefix(created.listenKey()));
    }
    listenKey = created.listenKey();
    connecting = true;
    long gen = ++generation;
    URI uri = URI.create(config.wsBaseUrl() + "/" + listenKey);
    http.newWebSocketBuilder()
        .connectTimeout(connectTimeout)
        .buildAsync(uri, new Frames(gen))
        .whenComplete((ws, error) -> submit("opened", () -> opened(gen, ws, error)));
  }

  private synchronized void opened(long gen, WebSocket ws, Throwable error) {
    if (gen != generation || stopped) {
      if (ws != null) {
        ws.abort();
      }
      return;
    }
    connecting = false;
    if (error != null) {
      LOG.warn(
          "Account {}: stream connection failed: {}",
          accountId(),
          redacted(CauseChain.root(error)));
      retryLater(CONNECT_FAILED);
      return;
    }
    socket = ws;
    connected = true;
    connectedSince = clock.instant();
    lastFrameAt = connectedSince;
    failedAttempts = 0;
    long ping = config.pingInterval().toMillis();
    pingTask =
        scheduler.scheduleAtFixedRate(
            () -> guarded("ping", () -> ping(gen)), ping, ping, TimeUnit.MILLISECONDS);
    maxAgeTask = schedule("max-age", () -> replace(gen, MAX_AGE, false), config.maxConnectionAge());
    LOG.info("Account {}: user-data stream connected (key {})", accountId(), prefix(listenKey));
  }

  private synchronized void keepAlive() {
    if (stopped || listenKey == null) {
      return;
    }
    ListenKeyClient.Answer answer = keys.keepAlive(account);
    if (answer instanceof ListenKeyClient.Answer.Done) {
      renewals.increment();
    } else if (answer instanceof ListenKeyClient.Answer.NoSuchKey) {
      LOG.warn(
          "Account {}: listen key {} does not exist any more (-1125): a new key and connection",
          accountId(),
          prefix(listenKey));
      listenKey = null;
      replace(generation, KEY_RECREATED, false);
    } else {
      renewalFailures.increment();
      LOG.warn("Account {}: listen key keep-alive failed: {}", accountId(), answer);
      schedule("keepalive-retry", this::keepAlive, config.reconnectMaxBackoff());
    }
  }

  private synchronized void ping(long gen) {
    if (gen != generation || socket == null) {
      return;
    }
    Instant sentAt = clock.instant();
    socket.sendPing(PING.duplicate());
    schedule("pong-check", () -> pongCheck(gen, sentAt), config.pongTimeout());
  }

  private synchronized void pongCheck(long gen, Instant pingSentAt) {
    Instant last = lastFrameAt;
    if (gen == generation && socket != null && (last == null || last.isBefore(pingSentAt))) {
      LOG.warn(
          "Account {}: no frame within {} of a ping: the connection is taken as dead",
          accountId(),
          config.pongTimeout());
      replace(gen, PONG_TIMEOUT, true);
    }
  }

  /**
   * The connection {@code gen} ended or must go: drops it and connects anew, at once ({@code
   * failure} false: a planned replacement or a new key) or after the backoff (a failure).
   */
  private synchronized void replace(long gen, String reason, boolean failure) {
    if (gen != generation || stopped) {
      return;
    }
    WebSocket old = socket;
    socket = null;
    connected = false;
    connecting = false;
    generation++;
    cancel(pingTask, maxAgeTask, reconnectTask);
    if (old != null) {
      old.sendClose(WebSocket.NORMAL_CLOSURE, "reconnecting").whenComplete((w, e) -> old.abort());
    }
    if (failure) {
      retryLater(reason);
    } else {
      countReconnect(reason);
      reconnectTask = schedule("connect", this::connect, Duration.ZERO);
    }
  }

  private void retryLater(String reason) {
    cancel(reconnectTask);
    countReconnect(reason);
    Duration delay = backoff.delay(failedAttempts++);
    reconnectTask = schedule("connect", this::connect, delay);
  }

  private void countReconnect(String reason) {
    lastReason = reason;
    reconnects.incrementAndGet();
    reconnectCounters
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("pmas.userdata.reconnects")
                    .description("User-data stream reconnects, by reason")
                    .tag("account", accountId())
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }

  // --- frames (WebSocket threads) -------------------------------------------------------------

  /** The listener of one connection; its callbacks never throw. */
  private final class Frames implements WebSocket.Listener {
    private final long gen;
    private final StringBuilder text = new StringBuilder();
    private boolean oversized;

    Frames(long gen) {
      this.gen = gen;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      guarded(
          "frame",
          () -> {
            lastFrameAt = clock.instant();
            if (!oversized
                && text.length() + data.length() <= UserDataFrameParser.MAX_FRAME_CHARS) {
              text.append(data);
            } else if (!oversized) {
              oversized = true;
              text.setLength(0);
            }
            if (last) {
              String frame = text.toString();
              text.setLength(0);
              boolean tooLarge = oversized;
              oversized = false;
              if (tooLarge) {
                malformed(
                    "(frame longer than " + UserDataFrameParser.MAX_FRAME_CHARS + " chars)",
                    "the frame is longer than "
                        + UserDataFrameParser.MAX_FRAME_CHARS
                        + " characters");
              } else {
                deliver(gen, frame);
              }
            }
          });
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      lastFrameAt = clock.instant();
      if (last) {
        guarded("frame", () -> malformed("(binary frame)", "a binary frame; events are text"));
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
      lastFrameAt = clock.instant();
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
      lastFrameAt = clock.instant();
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      LOG.info("Account {}: the server closed the stream ({} {})", accountId(), statusCode, reason);
      submit("closed", () -> replace(gen, CLOSED, true));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      LOG.warn("Account {}: stream error: {}", accountId(), redacted(CauseChain.root(error)));
      submit("error", () -> replace(gen, ERROR, true));
    }
  }

  private void deliver(long gen, String frame) {
    UserDataFrameParser.Result result = parser.parse(accountId(), frame);
    if (result instanceof UserDataFrameParser.Result.Malformed bad) {
      malformed(frame, bad.reason());
      return;
    }
    UserDataEvent event = ((UserDataFrameParser.Result.Event) result).event();
    lastEventAt = clock.instant();
    String type =
        event instanceof UserDataEvent.AccountChanged changed
            ? changed.eventType()
            : UserDataFrameParser.RISK_LEVEL_CHANGE;
    countEvent(type);
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      loopError("listener", e);
    }
    if (type.equals(UserDataFrameParser.LISTEN_KEY_EXPIRED)) {
      submit(
          "key-expired",
          () -> {
            synchronized (this) {
              listenKey = null;
              replace(gen, KEY_EXPIRED, false);
            }
          });
    }
  }

  private void malformed(String frame, String reason) {
    malformed.increment();
    LOG.warn("Account {}: malformed user-data frame: {}", accountId(), reason);
    String key = listenKey;
    String kept = key == null ? frame : frame.replace(key, prefix(key));
    try {
      listener.onMalformed(accountId(), kept, reason);
    } catch (RuntimeException e) {
      loopError("listener", e);
    }
  }

  private void countEvent(String type) {
    String tag = KNOWN_TYPES.contains(type) ? type : "other";
    events
        .computeIfAbsent(
            tag,
            t ->
                Counter.builder("pmas.userdata.events")
                    .description("Well-formed user-data stream events received, by type")
                    .tag("account", accountId())
                    .tag("type", t)
                    .register(registry))
        .increment();
  }

  // --- plumbing --------------------------------------------------------------------------------

  private ScheduledFuture<?> schedule(String stage, Runnable task, Duration delay) {
    return scheduler.schedule(() -> guarded(stage, task), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs a step on the scheduler soon; after shutdown there is nothing left to do. */
  private void submit(String stage, Runnable task) {
    try {
      scheduler.execute(() -> guarded(stage, task));
    } catch (RejectedExecutionException e) {
      LOG.debug("Account {}: stream step '{}' after shutdown, dropped", accountId(), stage);
    }
  }

  /** Runs one step of the stream; what it did not expect is counted and logged, never thrown. */
  private void guarded(String stage, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      loopError(stage, e);
      if (!stage.equals("frame") && !stage.equals("listener")) {
        synchronized (this) {
          if (!stopped && socket == null) {
            // A connection attempt in flight, if any, is superseded (connect() moves the
            // generation on, so its late answer is dropped).
            connecting = false;
            retryLater(ERROR);
          }
        }
      }
    }
  }

  private void loopError(String stage, RuntimeException e) {
    loopErrors
        .computeIfAbsent(
            stage,
            s ->
                Counter.builder("pmas.userdata.loop.errors")
                    .description("Unexpected errors in a user-data stream step; the stream goes on")
                    .tag("account", accountId())
                    .tag("stage", s)
                    .register(registry))
        .increment();
    LOG.error("Account {}: user-data stream step '{}' failed; it goes on", accountId(), stage, e);
  }

  private static void cancel(ScheduledFuture<?>... tasks) {
    for (ScheduledFuture<?> task : tasks) {
      if (task != null) {
        task.cancel(false);
      }
    }
  }

  /** An error for the log, with any listen key in its message cut to its prefix. */
  private String redacted(Throwable error) {
    String message = LONG_TOKEN.matcher(String.valueOf(error.getMessage())).replaceAll("$1...");
    return error.getClass().getSimpleName() + ": " + message;
  }

  /** The first characters of a key, for logs. */
  static String prefix(String key) {
    return key.length() <= KEY_PREFIX_LENGTH ? "..." : key.substring(0, KEY_PREFIX_LENGTH) + "...";
  }
}
