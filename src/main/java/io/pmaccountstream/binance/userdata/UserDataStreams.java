package io.pmaccountstream.binance.userdata;

import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.BinanceClientConfig;
import io.pmaccountstream.binance.InputPolicy;
import io.pmaccountstream.binance.WeightBudget;
import io.pmaccountstream.retry.Backoff;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * The user-data streams of every account this process polls: one {@link UserDataStream} per
 * account, each kept up on its own, sharing one JDK {@link HttpClient} (listenKey requests and
 * WebSockets), a small scheduler and the IP's {@link WeightBudget}. The events go to one {@link
 * UserDataListener}. Binance calls the stream guidance only: it tells that an account changed
 * sooner than the next poll, it never replaces polling.
 *
 * <pre>{@code
 * UserDataStreams streams = new UserDataStreams(streamConfig, clientConfig, accounts,
 *     client.weightBudget(), listener, registry);
 * streams.start();
 * ... streams.health() ...
 * streams.close(); // closes the connections, DELETEs the keys
 * }</pre>
 */
public final class UserDataStreams implements AutoCloseable {

  private static final int THREADS = 4;

  /** The listener of the accounts given at construction, when there are none. */
  private static final UserDataListener NO_LISTENER =
      new UserDataListener() {
        @Override
        public void onEvent(UserDataEvent event) {}

        @Override
        public void onMalformed(String accountId, String rawFrame, String reason) {}
      };

  private final UserDataStreamConfig config;
  private final BinanceClientConfig client;
  private final MeterRegistry registry;
  private final Clock clock;
  private final DoubleSupplier jitter;
  private final ScheduledExecutorService scheduler;
  private final HttpClient http;
  private final ListenKeyClient keys;
  private final UserDataFrameParser parser;
  private final Map<String, UserDataStream> streams = new LinkedHashMap<>();
  private final List<AccountCredentials> initial;
  private final UserDataListener initialListener;

  /** The streams of a fixed set of accounts, opened by {@link #start()}. */
  public UserDataStreams(
      UserDataStreamConfig config,
      BinanceClientConfig client,
      List<AccountCredentials> accounts,
      WeightBudget budget,
      UserDataListener listener,
      MeterRegistry registry) {
    this(
        config,
        client,
        accounts,
        budget,
        listener,
        registry,
        Clock.systemUTC(),
        () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * @param jitter uniform in [0, 1), for the reconnect backoff
   */
  public UserDataStreams(
      UserDataStreamConfig config,
      BinanceClientConfig client,
      List<AccountCredentials> accounts,
      WeightBudget budget,
      UserDataListener listener,
      MeterRegistry registry,
      Clock clock,
      DoubleSupplier jitter) {
    this.config = config;
    this.client = client;
    this.registry = registry;
    this.clock = clock;
    this.jitter = jitter;
    this.initial = List.copyOf(accounts);
    this.initialListener = listener;
    AtomicInteger threads = new AtomicInteger();
    this.scheduler =
        Executors.newScheduledThreadPool(
            THREADS,
            runnable -> {
              Thread thread = new Thread(runnable, "user-data-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(client.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.keys = new ListenKeyClient(http, client, budget, registry);
    this.parser = new UserDataFrameParser(InputPolicy.from(client));
  }

  /**
   * Streams whose accounts come and go ({@link #start(Collection, UserDataListener)}, {@link
   * #stop(Collection)}): a poller in a group opens the streams of the accounts it is assigned.
   */
  public UserDataStreams(
      UserDataStreamConfig config,
      BinanceClientConfig client,
      WeightBudget budget,
      MeterRegistry registry) {
    this(config, client, List.of(), budget, NO_LISTENER, registry);
  }

  /** Opens the streams of the accounts given at construction (in the background). */
  public void start() {
    start(initial, initialListener);
  }

  /**
   * Opens the streams of these accounts that are not open yet, in the background (connection
   * failures are retried); their events go to {@code listener}.
   */
  public synchronized void start(
      Collection<AccountCredentials> accounts, UserDataListener listener) {
    for (AccountCredentials account : accounts) {
      if (streams.containsKey(account.accountId())) {
        continue;
      }
      UserDataStream stream =
          new UserDataStream(
              account,
              config,
              keys,
              http,
              scheduler,
              parser,
              listener,
              clock,
              Backoff.withEqualJitter(
                  config.reconnectInitialBackoff(), config.reconnectMaxBackoff(), jitter),
              client.connectTimeout(),
              registry);
      streams.put(account.accountId(), stream);
      stream.start();
    }
  }

  /** Closes these accounts' streams and deletes their keys. */
  public void stop(Collection<String> accountIds) {
    List<UserDataStream> closing = new ArrayList<>();
    synchronized (this) {
      for (String id : accountIds) {
        UserDataStream stream = streams.remove(id);
        if (stream != null) {
          closing.add(stream);
        }
      }
    }
    closing.forEach(UserDataStream::close);
  }

  /** Each open account's stream now, by account id. */
  public synchronized Map<String, StreamHealth> health() {
    Map<String, StreamHealth> health = new LinkedHashMap<>();
    streams.forEach((id, stream) -> health.put(id, stream.health()));
    return health;
  }

  /** Closes every connection, deletes every key, stops the scheduler. */
  @Override
  public void close() {
    try {
      List<String> open;
      synchronized (this) {
        open = List.copyOf(streams.keySet());
      }
      stop(open);
    } finally {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
