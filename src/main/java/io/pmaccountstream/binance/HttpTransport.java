package io.pmaccountstream.binance;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.io.ModalCloseable;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain GETs over pooled keep-alive connections (HttpClient 5 classic), with the body read up to a
 * cap, each within an overall deadline ({@code binance.response.deadline}): HttpClient's own
 * timeouts bound each wait (connect, between two packets) but not the whole, so a body dripping one
 * byte per second would hold a worker and a connection for ever. A scheduled task cancels the
 * request and closes its connection when the deadline passes; the read then fails and the answer is
 * a {@link ResponseDeadlineExceeded}, a timeout that the client retries. No retries, redirects or
 * cookies here: retrying is the client's decision, with a fresh signature.
 */
final class HttpTransport implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);

  private final CloseableHttpClient http;
  private final int maxBodyBytes;
  private final Duration deadline;
  private final Clock clock;
  private final ScheduledExecutorService deadlines;

  /** No complete response within {@code binance.response.deadline}: a timeout, retried. */
  static final class ResponseDeadlineExceeded extends InterruptedIOException {
    ResponseDeadlineExceeded(Duration deadline) {
      super(
          "no complete response within binance.response.deadline ("
              + deadline.toMillis()
              + " ms); the request was cut");
    }
  }

  HttpTransport(BinanceClientConfig config, Clock clock) {
    this.maxBodyBytes = config.maxBodyBytes();
    this.deadline = config.responseDeadline();
    this.clock = clock;
    this.deadlines =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "binance-response-deadline");
              thread.setDaemon(true);
              return thread;
            });
    ConnectionConfig connections =
        ConnectionConfig.custom()
            .setConnectTimeout(timeout(config.connectTimeout()))
            .setSocketTimeout(timeout(config.responseTimeout()))
            .setValidateAfterInactivity(TimeValue.ofSeconds(2))
            .setTimeToLive(TimeValue.ofMinutes(5))
            .build();
    RequestConfig requests =
        RequestConfig.custom()
            .setResponseTimeout(timeout(config.responseTimeout()))
            .setConnectionRequestTimeout(timeout(config.responseTimeout()))
            .setRedirectsEnabled(false)
            .build();
    this.http =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setDefaultConnectionConfig(connections)
                    .setMaxConnTotal(config.maxConnections())
                    .setMaxConnPerRoute(config.maxConnections())
                    .build())
            .setDefaultRequestConfig(requests)
            .disableAutomaticRetries()
            .disableRedirectHandling()
            .disableCookieManagement()
            .disableAuthCaching()
            .setUserAgent("pm-account-stream")
            .evictIdleConnections(TimeValue.ofSeconds(30))
            .build();
  }

  /** Sends a GET; an I/O failure or a passed deadline is returned, not thrown. */
  Exchange get(URI uri, Map<String, String> headers) {
    HttpGet request = new HttpGet(uri);
    headers.forEach(request::addHeader);
    Deadline timer = new Deadline(request);
    try {
      return get(request, timer);
    } finally {
      timer.disarm();
    }
  }

  private Exchange get(HttpGet request, Deadline timer) {
    Instant sentAt = clock.instant();
    ClassicHttpResponse response;
    try {
      response = http.executeOpen(null, request, null);
    } catch (IOException e) {
      return transportError(e, timer, sentAt);
    }
    boolean complete = false;
    try {
      Map<String, String> received = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (Header header : response.getHeaders()) {
        received.putIfAbsent(header.getName(), header.getValue());
      }
      byte[] body = readUpToCap(response.getEntity());
      boolean truncated = body.length > maxBodyBytes;
      complete = !truncated;
      return new Exchange.Response(
          response.getCode(),
          received,
          truncated ? Arrays.copyOf(body, maxBodyBytes) : body,
          truncated,
          sentAt,
          clock.instant());
    } catch (IOException e) {
      return transportError(e, timer, sentAt);
    } finally {
      release(response, complete);
    }
  }

  private Exchange transportError(IOException error, Deadline timer, Instant sentAt) {
    IOException reported = timer.expired() ? new ResponseDeadlineExceeded(deadline) : error;
    return new Exchange.TransportError(reported, sentAt, clock.instant());
  }

  /** Cuts one request when the deadline passes: cancels it and closes its open connection. */
  private final class Deadline {
    private final HttpGet request;
    private final AtomicBoolean expired = new AtomicBoolean();
    private final ScheduledFuture<?> task;

    Deadline(HttpGet request) {
      this.request = request;
      this.task = deadlines.schedule(this::expire, deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean expired() {
      return expired.get();
    }

    void disarm() {
      task.cancel(false);
    }

    private void expire() {
      expired.set(true);
      request.cancel();
    }
  }

  /** At most {@code maxBodyBytes + 1} bytes: one more than allowed tells that it was cut. */
  private byte[] readUpToCap(HttpEntity entity) throws IOException {
    if (entity == null) {
      return new byte[0];
    }
    InputStream in = entity.getContent();
    return in == null ? new byte[0] : in.readNBytes(maxBodyBytes + 1);
  }

  /**
   * Returns a fully read connection to the pool; drops one whose body was not read to the end
   * rather than draining an oversized or broken body into it.
   */
  private static void release(ClassicHttpResponse response, boolean complete) {
    if (!complete && response instanceof ModalCloseable modal) {
      modal.close(CloseMode.IMMEDIATE);
      return;
    }
    try {
      response.close();
    } catch (IOException e) {
      LOG.debug("Could not return a connection to the pool: {}", e.toString());
    }
  }

  @Override
  public void close() {
    deadlines.shutdownNow();
    http.close(CloseMode.GRACEFUL);
  }

  private static Timeout timeout(Duration duration) {
    return Timeout.ofMilliseconds(duration.toMillis());
  }
}
