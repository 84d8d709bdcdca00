package io.pmaccountstream.binance.userdata;

import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.Backoff;
import io.pmaccountstream.binance.BinanceClientConfig;
import io.pmaccountstream.binance.InputPolicy;
import io.pmaccountstream.binance.WeightBudget;
import java.net.http.HttpClient;
import java.time.Clock;
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

  private final ScheduledExecutorService scheduler;
  private final HttpClient http;
  private final Map<String, UserDataStream> streams = new LinkedHashMap<>();

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
    AtomicInteger threads = new AtomicInteger();
    this.scheduler =
        Executors.newScheduledThreadPool(
            Math.max(1, Math.min(4, accounts.size())),
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
    ListenKeyClient keys = new ListenKeyClient(http, client, budget);
    UserDataFrameParser parser = new UserDataFrameParser(InputPolicy.from(client));
    for (AccountCredentials account : accounts) {
      streams.put(
          account.accountId(),
          new UserDataStream(
              account,
              config,
              keys,
              http,
              scheduler,
              parser,
              listener,
              clock,
              new Backoff(config.reconnectInitialBackoff(), config.reconnectMaxBackoff(), jitter),
              client.connectTimeout(),
              registry));
    }
  }

  /** Opens every account's stream (in the background: connection failures are retried). */
  public void start() {
    streams.values().forEach(UserDataStream::start);
  }

  /** Each account's stream now, by account id. */
  public Map<String, StreamHealth> health() {
    Map<String, StreamHealth> health = new LinkedHashMap<>();
    streams.forEach((id, stream) -> health.put(id, stream.health()));
    return health;
  }

  /** Closes every connection, deletes every key, stops the scheduler. */
  @Override
  public void close() {
    try {
      streams.values().forEach(UserDataStream::close);
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
