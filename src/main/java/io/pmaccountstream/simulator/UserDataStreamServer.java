package io.pmaccountstream.simulator;

import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user-data stream endpoint, {@code ws://<bind>:<port>/pm/ws/<listenKey>}, on its own port
 * (Java-WebSocket does the protocol: handshake, framing, ping/pong, close). An upgrade for an
 * unknown or expired key is refused. One pusher thread watches the accounts that have an open
 * connection (from their state when the first one opened) every {@value #TICK_MILLIS} ms, and at
 * once after a test's {@link SimulatedAccount#set}: it pushes {@code riskLevelChange} when a level
 * is crossed and {@code ACCOUNT_UPDATE} when the values change, to that account's open connections,
 * so the events of a type are ordered by {@code E}; it closes connections older than the maximum
 * age (Binance's 24-hour cut), those whose key expired (after a {@code listenKeyExpired}) or was
 * closed, and drops connections abruptly at the configured rate or on command. Every frame and
 * connection goes to the {@link PushLog}.
 */
final class UserDataStreamServer {

  static final String PATH = "/pm/ws";
  static final long TICK_MILLIS = 50;

  /** The {@code eventType} in the push log of a frame sent with {@link #pushRaw}. */
  static final String RAW = "raw";

  private static final Logger log = LoggerFactory.getLogger(UserDataStreamServer.class);

  /** What the server knows of one open connection. */
  private record Conn(long id, String accountId, String listenKey, long openedAt) {}

  private final SimClock clock;
  private final List<SimulatedAccount> accounts;
  private final List<BigDecimal> levels;
  private final ListenKeys keys;
  private final long maxAgeMillis;
  private final double dropRate;
  private final Random random;
  private final PushLog pushLog = new PushLog();
  private final Map<WebSocket, Conn> open = new ConcurrentHashMap<>();
  private final Map<String, AccountState> lastSeen = new HashMap<>();
  private final Map<String, Long> lastEventTime = new HashMap<>();
  private final ScheduledExecutorService pusher;
  private final Server server;
  private final CountDownLatch started = new CountDownLatch(1);
  private volatile Exception startFailure;
  private volatile boolean running;
  private volatile boolean answerPings = true;

  UserDataStreamServer(
      SimClock clock,
      List<SimulatedAccount> accounts,
      List<BigDecimal> levels,
      ListenKeys keys,
      Duration maxConnectionAge,
      double dropRate,
      long seed,
      String bindAddress) {
    this.clock = clock;
    this.accounts = List.copyOf(accounts);
    this.levels = List.copyOf(levels);
    this.keys = keys;
    this.maxAgeMillis = maxConnectionAge.toMillis();
    this.dropRate = dropRate;
    this.random = new Random(seed);
    this.pusher =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "sim-user-data-push");
              thread.setDaemon(true);
              return thread;
            });
    this.server = new Server(new InetSocketAddress(bindAddress, 0));
    for (SimulatedAccount account : this.accounts) {
      account.addChangeListener(
          () -> {
            if (running) {
              pusher.execute(this::tickSafely);
            }
          });
    }
  }

  void start() {
    server.setReuseAddr(true);
    server.setDaemon(true);
    server.setConnectionLostTimeout(0);
    server.start();
    try {
      if (!started.await(10, TimeUnit.SECONDS) || startFailure != null) {
        throw new UncheckedIOException(
            new java.io.IOException("the user-data stream endpoint did not start", startFailure));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the stream endpoint", e);
    }
    pusher.scheduleWithFixedDelay(
        this::tickSafely, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  int port() {
    return server.getPort();
  }

  PushLog pushLog() {
    return pushLog;
  }

  /** Open connections of the account now. */
  int openConnections(String accountId) {
    return (int) open.values().stream().filter(c -> c.accountId().equals(accountId)).count();
  }

  /** Closes the account's open connections abruptly (no close frame); returns how many. */
  int drop(String accountId) {
    int dropped = 0;
    for (Map.Entry<WebSocket, Conn> e : open.entrySet()) {
      if (e.getValue().accountId().equals(accountId)) {
        abort(e.getKey(), e.getValue(), PushLog.DROPPED);
        dropped++;
      }
    }
    return dropped;
  }

  /** Pongs for the clients' pings on (Binance's behaviour) or off (a silent, half-dead link). */
  void answerPings(boolean value) {
    answerPings = value;
  }

  /**
   * Sends {@code frame} as it is to the account's open connections (a test's hostile frame), in
   * order with the pushed events; returns to how many.
   */
  int pushRaw(String accountId, String frame) {
    try {
      return pusher
          .submit(
              () -> {
                synchronized (this) {
                  int[] sent = {0};
                  forEachOpen(
                      accountId,
                      (socket, conn) -> {
                        send(socket, conn, RAW, frame);
                        sent[0]++;
                      });
                  return sent[0];
                }
              })
          .get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot push a raw frame", e);
    }
  }

  void close() {
    running = false;
    pusher.shutdownNow();
    open.forEach((socket, conn) -> pushLog.closed(conn.id(), PushLog.SHUTDOWN, now()));
    try {
      server.stop(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.warn("The simulator's user-data push tick failed; it goes on", e);
    }
  }

  private synchronized void tick() {
    long scenarioNow = clock.scenarioMillis();
    for (ListenKeys.Expired expired : keys.drainExpired()) {
      String frame =
          UserDataFrames.listenKeyExpired(
              expired.listenKey(), eventTime(UserDataFrames.LISTEN_KEY_EXPIRED));
      forEachOpen(
          expired.accountId(),
          (socket, conn) -> {
            if (conn.listenKey().equals(expired.listenKey())) {
              send(socket, conn, UserDataFrames.LISTEN_KEY_EXPIRED, frame);
              close(socket, conn, CloseFrame.NORMAL, PushLog.KEY_EXPIRED);
            }
          });
    }
    open.forEach(
        (socket, conn) -> {
          if (!keys.isValid(conn.accountId(), conn.listenKey())) {
            close(socket, conn, CloseFrame.NORMAL, PushLog.KEY_CLOSED);
          } else if (scenarioNow - conn.openedAt() >= maxAgeMillis) {
            close(socket, conn, CloseFrame.GOING_AWAY, PushLog.MAX_AGE);
          }
        });
    java.util.Set<String> streaming = new java.util.HashSet<>();
    open.values().forEach(c -> streaming.add(c.accountId()));
    for (SimulatedAccount account : accounts) {
      if (!streaming.contains(account.id())) {
        continue;
      }
      AccountState now = account.current();
      AccountState before = lastSeen.put(account.id(), now);
      if (before == null || before.version() == now.version()) {
        continue;
      }
      List<String[]> frames = new ArrayList<>();
      if (UserDataFrames.isRiskLevelChange(before, now, levels)) {
        frames.add(
            new String[] {
              UserDataFrames.RISK_LEVEL_CHANGE,
              UserDataFrames.riskLevelChange(now, eventTime(UserDataFrames.RISK_LEVEL_CHANGE))
            });
      }
      frames.add(
          new String[] {
            UserDataFrames.ACCOUNT_UPDATE,
            UserDataFrames.accountUpdate(now, eventTime(UserDataFrames.ACCOUNT_UPDATE))
          });
      forEachOpen(
          account.id(),
          (socket, conn) -> {
            for (String[] frame : frames) {
              if (dropRate > 0 && random.nextDouble() < dropRate) {
                abort(socket, conn, PushLog.DROPPED);
                return;
              }
              send(socket, conn, frame[0], frame[1]);
            }
          });
    }
  }

  /** {@code E} for the next event of a type: the server clock, never before the type's last. */
  private long eventTime(String type) {
    long time = Math.max(clock.serverMillis(), lastEventTime.getOrDefault(type, Long.MIN_VALUE));
    lastEventTime.put(type, time);
    return time;
  }

  private void forEachOpen(
      String accountId, java.util.function.BiConsumer<WebSocket, Conn> action) {
    for (Map.Entry<WebSocket, Conn> e : new ArrayList<>(open.entrySet())) {
      if (e.getValue().accountId().equals(accountId) && e.getKey().isOpen()) {
        action.accept(e.getKey(), e.getValue());
      }
    }
  }

  private void send(WebSocket socket, Conn conn, String type, String json) {
    try {
      socket.send(json);
      pushLog.pushed(
          conn.accountId(), conn.id(), type, type.equals(RAW) ? 0 : eventTimeOf(json), json);
    } catch (org.java_websocket.exceptions.WebsocketNotConnectedException e) {
      log.debug("stream connection {} closed before a {} frame", conn.id(), type);
    }
  }

  private static long eventTimeOf(String json) {
    int start = json.indexOf("\"E\":") + 4;
    int end = start;
    while (end < json.length() && Character.isDigit(json.charAt(end))) {
      end++;
    }
    return Long.parseLong(json.substring(start, end));
  }

  private void close(WebSocket socket, Conn conn, int code, String reason) {
    pushLog.closed(conn.id(), reason, now());
    open.remove(socket);
    socket.close(code, reason);
  }

  private void abort(WebSocket socket, Conn conn, String reason) {
    pushLog.closed(conn.id(), reason, now());
    open.remove(socket);
    socket.closeConnection(CloseFrame.ABNORMAL_CLOSE, reason);
  }

  private Instant now() {
    return Instant.ofEpochMilli(clock.serverMillis());
  }

  private Optional<String> keyOf(String resource) {
    String prefix = PATH + "/";
    if (resource == null || !resource.startsWith(prefix)) {
      return Optional.empty();
    }
    String key = resource.substring(prefix.length());
    int query = key.indexOf('?');
    return Optional.of(query < 0 ? key : key.substring(0, query));
  }

  private final class Server extends WebSocketServer {

    Server(InetSocketAddress address) {
      super(address);
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(
        WebSocket conn, Draft draft, ClientHandshake request) throws InvalidDataException {
      Optional<String> key = keyOf(request.getResourceDescriptor());
      if (key.isEmpty() || keys.accountOf(key.get()).isEmpty()) {
        throw new InvalidDataException(
            CloseFrame.POLICY_VALIDATION, "no such listenKey, or it expired");
      }
      return super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
    }

    @Override
    public void onWebsocketPing(WebSocket socket, Framedata ping) {
      if (answerPings) {
        super.onWebsocketPing(socket, ping);
      }
    }

    @Override
    public void onOpen(WebSocket socket, ClientHandshake handshake) {
      Optional<String> key = keyOf(handshake.getResourceDescriptor());
      Optional<String> account = key.flatMap(keys::accountOf);
      if (account.isEmpty()) {
        socket.close(CloseFrame.POLICY_VALIDATION, "no such listenKey, or it expired");
        return;
      }
      long id = pushLog.opened(account.get(), now());
      synchronized (UserDataStreamServer.this) {
        if (openConnections(account.get()) == 0) {
          accounts.stream()
              .filter(a -> a.id().equals(account.get()))
              .findFirst()
              .ifPresent(a -> lastSeen.put(a.id(), a.current()));
        }
        open.put(socket, new Conn(id, account.get(), key.get(), clock.scenarioMillis()));
      }
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason, boolean remote) {
      Conn conn = open.remove(socket);
      if (conn != null) {
        pushLog.closed(conn.id(), PushLog.CLOSED_BY_CLIENT, now());
      }
    }

    @Override
    public void onMessage(WebSocket socket, String message) {
      // Binance's user-data stream ignores what the client sends (pings are control frames).
    }

    @Override
    public void onError(WebSocket socket, Exception error) {
      if (socket == null) {
        startFailure = error;
        started.countDown();
        return;
      }
      log.debug("stream connection error: {}", error.toString());
    }

    @Override
    public void onStart() {
      started.countDown();
    }
  }
}
