package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.binance.FetchOutcome.Failure;
import io.pmaccountstream.binance.FetchOutcome.Success;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.testing.TestClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The "connection pool" and "responseDeadline" rows of docs/reliability.md with a body that really
 * drips: one byte every 500 ms, so the socket timeout (2 s between packets) never fires. 32 such
 * answers, as many as the poll workers ({@code poll.max.concurrent}) and the pooled connections,
 * hold every worker; an account queued behind them is still read within seconds, because each
 * dripper is cut at {@code binance.response.deadline}. A raw socket server on 127.0.0.1 (WireMock's
 * dribble holds the whole answer back rather than dripping it byte by byte).
 */
class ResponseDeadlineIT {

  private static final String DRIPPER_KEY = "dripper-api-key";
  private static final int DRIPPERS = 32;

  @Test
  void responseDeadline_thirtyTwoDrippersDoNotStallTheOtherAccounts() throws Exception {
    TestClock time = TestClock.at("2026-11-23T10:00:05Z");
    ExecutorService workers = Executors.newFixedThreadPool(DRIPPERS);
    try (DrippingServer server = new DrippingServer();
        BinanceAccountClient client = client(server.port(), time)) {
      List<Future<FetchOutcome>> drippers = new ArrayList<>();
      for (int i = 0; i < DRIPPERS; i++) {
        AccountCredentials dripper =
            new AccountCredentials(
                "dripper-" + i,
                Secret.of(DRIPPER_KEY),
                new HmacSha256Signer(Secret.of(TestKeys.DOC_SECRET)));
        drippers.add(workers.submit(() -> client.fetchAccount(dripper)));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.dripping.get() >= DRIPPERS);

      Future<FetchOutcome> healthy =
          workers.submit(() -> client.fetchAccount(TestKeys.docAccount("healthy")));

      // Far less than the ~3 minutes a dripper would hold its worker and connection for.
      await().atMost(Duration.ofSeconds(30)).until(healthy::isDone);
      assertThat(healthy.get()).isInstanceOf(Success.class);
      for (Future<FetchOutcome> dripper : drippers) {
        await().atMost(Duration.ofSeconds(30)).until(dripper::isDone);
        assertThat(dripper.get()).isInstanceOf(Failure.class);
        assertThat(((Failure) dripper.get()).message())
            .contains("no complete response within binance.response.deadline (3000 ms)");
      }
    } finally {
      workers.shutdownNow();
    }
  }

  /**
   * One attempt per fetch and the default pool size (= the default poll.max.concurrent): without
   * the deadline every worker would be held until the drip ends.
   */
  private static BinanceAccountClient client(int port, TestClock time) {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(
                Map.of(
                    "binance.base.url", "http://127.0.0.1:" + port,
                    "binance.response.deadline", "3s",
                    "binance.response.timeout", "2s",
                    "binance.retry.max.attempts", "1",
                    "binance.max.connections", Integer.toString(DRIPPERS))));
    return new BinanceAccountClient(
        BinanceClientConfig.from(reader), new SimpleMeterRegistry(), time, time);
  }

  /** HTTP/1.1 on 127.0.0.1: the account at once, or one byte per 500 ms for the dripper key. */
  private static final class DrippingServer implements AutoCloseable {
    private final ServerSocket socket;
    private final ExecutorService connections = Executors.newCachedThreadPool();
    final AtomicInteger dripping = new AtomicInteger();

    DrippingServer() throws IOException {
      socket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
      connections.submit(this::accept);
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket connection = socket.accept();
          connections.submit(() -> serve(connection));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket connection) {
      try (connection) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(connection.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = connection.getOutputStream();
        while (true) {
          boolean drip = false;
          String line = in.readLine();
          if (line == null) {
            return;
          }
          while ((line = in.readLine()) != null && !line.isEmpty()) {
            drip |= line.toLowerCase(Locale.ROOT).equals("x-mbx-apikey: " + DRIPPER_KEY);
          }
          if (line == null) {
            return;
          }
          byte[] body = AccountInfoParserTest.DOC_EXAMPLE.getBytes(StandardCharsets.UTF_8);
          out.write(
              ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                      + body.length
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          if (!drip) {
            out.write(body);
            out.flush();
            continue;
          }
          dripping.incrementAndGet();
          for (byte b : body) {
            out.write(b);
            out.flush();
            Thread.sleep(500);
          }
        }
      } catch (IOException | InterruptedException gone) {
        // the client cut the connection, or the test ended
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      connections.shutdownNow();
    }
  }
}
