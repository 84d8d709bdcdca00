package io.pmaccountstream.binance;

import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How the Binance client talks to Binance: endpoints, time, timeouts, retries and the IP weight
 * budget. Immutable; built once at start-up by {@link #from(ConfigReader)}, which records every
 * invalid value in the reader instead of stopping at the first.
 */
public final class BinanceClientConfig {

  public static final String DEFAULT_BASE_URL = "https://papi.binance.com";
  public static final String DEFAULT_TIME_URL = "https://fapi.binance.com/fapi/v1/time";
  private static final String NO_TIME_URL = "none";

  public static final ConfigField<URI> BASE_URL =
      ConfigField.uri("binance.base.url", "Binance Portfolio Margin REST API base URL")
          .withDefault(DEFAULT_BASE_URL)
          .validate(
              BinanceClientConfig::isAllowedUrl,
              "an https:// URL (http:// only for a loopback host such as 127.0.0.1)");

  public static final ConfigField<String> TIME_URL =
      ConfigField.string(
              "binance.time.url",
              "Endpoint answering {\"serverTime\": ms}, used to keep the server-clock offset"
                  + " precise; empty or 'none' to rely on the Date header of every response only."
                  + " Unset with a non-default binance.base.url (simulator, proxy): none, since"
                  + " another host's clock says nothing about that server's")
          .withDefault(DEFAULT_TIME_URL)
          .validate(
              s -> s.isBlank() || s.trim().equalsIgnoreCase(NO_TIME_URL) || isAllowedUrl(s.trim()),
              "empty, 'none' or an https:// URL (http:// only for a loopback host)");

  public static final ConfigField<Duration> RECV_WINDOW =
      ConfigField.duration(
              "binance.recv.window",
              "recvWindow sent with every signed request: how late the request may reach Binance")
          .withDefault("5s")
          .validate(
              d ->
                  d.compareTo(Duration.ofMillis(1)) >= 0
                      && d.compareTo(Duration.ofSeconds(60)) <= 0,
              "between 1ms and 60s (Binance's maximum)");

  public static final ConfigField<Duration> CONNECT_TIMEOUT =
      ConfigField.duration("binance.connect.timeout", "Longest wait to open a TCP/TLS connection")
          .withDefault("5s")
          .validate(BinanceClientConfig::isPositiveUpToFiveMinutes, "between 1ms and 5m");

  public static final ConfigField<Duration> RESPONSE_TIMEOUT =
      ConfigField.duration(
              "binance.response.timeout",
              "Longest wait for the response to start, and between two packets of its body")
          .withDefault("10s")
          .validate(BinanceClientConfig::isPositiveUpToFiveMinutes, "between 1ms and 5m");

  public static final ConfigField<Integer> MAX_BODY_BYTES =
      ConfigField.integer(
              "binance.max.body.bytes",
              "Largest response body read; a larger one is a bad payload, kept up to this size")
          .withDefault("65536")
          .validate(n -> n >= 1024 && n <= 16 * 1024 * 1024, "between 1024 and 16777216");

  public static final ConfigField<Integer> MAX_CONNECTIONS =
      ConfigField.integer(
              "binance.max.connections", "Size of the pooled keep-alive connections to Binance")
          .withDefault("16")
          .validate(n -> n >= 1 && n <= 1000, "between 1 and 1000");

  public static final ConfigField<Integer> WEIGHT_LIMIT_PER_MINUTE =
      ConfigField.integer(
              "binance.weight.limit.per.minute",
              "Binance's request-weight limit per minute for this IP (PAPI: 6000); shared by every"
                  + " account polled from this process")
          .withDefault("6000")
          .validate(n -> n >= 1, "at least 1");

  public static final ConfigField<BigDecimal> WEIGHT_MAX_SHARE =
      ConfigField.decimal(
              "binance.weight.max.share",
              "Share of the weight limit this process may use; the rest is headroom for other"
                  + " programs on the same IP")
          .withDefault("0.8")
          .validate(
              s -> s.signum() > 0 && s.compareTo(BigDecimal.ONE) <= 0,
              "greater than 0 and at most 1");

  public static final ConfigField<Duration> WEIGHT_MAX_WAIT =
      ConfigField.duration(
              "binance.weight.max.wait",
              "Longest a fetch waits for weight budget (next minute, Retry-After) before it"
                  + " reports RATE_LIMITED without sending")
          .withDefault("60s")
          .validate(d -> !d.isNegative() && d.compareTo(Duration.ofHours(1)) <= 0, "0s to 1h");

  public static final ConfigField<Integer> RETRY_MAX_ATTEMPTS =
      ConfigField.integer(
              "binance.retry.max.attempts",
              "Attempts per fetch, the first included, for transient failures (timeouts,"
                  + " connection errors, 5xx, -1001, 429); the immediate retry after a -1021"
                  + " clock re-sync comes on top")
          .withDefault("4")
          .validate(n -> n >= 1 && n <= 20, "between 1 and 20");

  public static final ConfigField<Duration> RETRY_INITIAL_BACKOFF =
      ConfigField.duration(
              "binance.retry.initial.backoff",
              "Backoff before the first retry; doubles per retry, with jitter")
          .withDefault("250ms")
          .validate(d -> d.compareTo(Duration.ofMillis(1)) >= 0, "at least 1ms");

  public static final ConfigField<Duration> RETRY_MAX_BACKOFF =
      ConfigField.duration("binance.retry.max.backoff", "Cap of the backoff between retries")
          .withDefault("5s")
          .validate(d -> d.compareTo(Duration.ofMillis(1)) >= 0, "at least 1ms");

  public static final ConfigField<Duration> CLOCK_RESYNC_INTERVAL =
      ConfigField.duration(
              "binance.clock.resync.interval",
              "How often the server-clock offset is re-measured at binance.time.url (Date"
                  + " headers refine it on every response)")
          .withDefault("5m")
          .validate(d -> d.compareTo(Duration.ofSeconds(1)) >= 0, "at least 1s");

  private final URI baseUrl;
  private final Optional<URI> timeUrl;
  private final Duration recvWindow;
  private final Duration connectTimeout;
  private final Duration responseTimeout;
  private final int maxBodyBytes;
  private final int maxConnections;
  private final int weightLimitPerMinute;
  private final BigDecimal weightMaxShare;
  private final Duration weightMaxWait;
  private final int retryMaxAttempts;
  private final Duration retryInitialBackoff;
  private final Duration retryMaxBackoff;
  private final Duration clockResyncInterval;

  private BinanceClientConfig(ConfigReader reader) {
    this.baseUrl = orDefault(reader.get(BASE_URL), URI.create(DEFAULT_BASE_URL));
    this.timeUrl = timeUrl(reader, baseUrl);
    this.recvWindow = orDefault(reader.get(RECV_WINDOW), Duration.ofSeconds(5));
    this.connectTimeout = orDefault(reader.get(CONNECT_TIMEOUT), Duration.ofSeconds(5));
    this.responseTimeout = orDefault(reader.get(RESPONSE_TIMEOUT), Duration.ofSeconds(10));
    this.maxBodyBytes = orDefault(reader.get(MAX_BODY_BYTES), 65536);
    this.maxConnections = orDefault(reader.get(MAX_CONNECTIONS), 16);
    this.weightLimitPerMinute = orDefault(reader.get(WEIGHT_LIMIT_PER_MINUTE), 6000);
    this.weightMaxShare = orDefault(reader.get(WEIGHT_MAX_SHARE), new BigDecimal("0.8"));
    this.weightMaxWait = orDefault(reader.get(WEIGHT_MAX_WAIT), Duration.ofSeconds(60));
    this.retryMaxAttempts = orDefault(reader.get(RETRY_MAX_ATTEMPTS), 4);
    this.retryInitialBackoff = orDefault(reader.get(RETRY_INITIAL_BACKOFF), Duration.ofMillis(250));
    this.retryMaxBackoff = orDefault(reader.get(RETRY_MAX_BACKOFF), Duration.ofSeconds(5));
    this.clockResyncInterval = orDefault(reader.get(CLOCK_RESYNC_INTERVAL), Duration.ofMinutes(5));
    if (retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
      reader.problem(
          RETRY_MAX_BACKOFF.name()
              + " ("
              + retryMaxBackoff
              + ") must not be shorter than "
              + RETRY_INITIAL_BACKOFF.name()
              + " ("
              + retryInitialBackoff
              + ")");
    }
  }

  /**
   * Reads and validates every field; problems are recorded in {@code reader} (call {@link
   * ConfigReader#throwIfProblems()} after reading all components). Invalid values fall back to
   * their defaults so that reading can go on.
   */
  public static BinanceClientConfig from(ConfigReader reader) {
    return new BinanceClientConfig(reader);
  }

  /** Every key this component reads, for the README's configuration table. */
  public static List<ConfigField<?>> fields() {
    return List.of(
        BASE_URL,
        TIME_URL,
        RECV_WINDOW,
        CONNECT_TIMEOUT,
        RESPONSE_TIMEOUT,
        MAX_BODY_BYTES,
        MAX_CONNECTIONS,
        WEIGHT_LIMIT_PER_MINUTE,
        WEIGHT_MAX_SHARE,
        WEIGHT_MAX_WAIT,
        RETRY_MAX_ATTEMPTS,
        RETRY_INITIAL_BACKOFF,
        RETRY_MAX_BACKOFF,
        CLOCK_RESYNC_INTERVAL);
  }

  public URI baseUrl() {
    return baseUrl;
  }

  /** Where to measure the server clock; empty: from Date headers only. */
  public Optional<URI> timeUrl() {
    return timeUrl;
  }

  public Duration recvWindow() {
    return recvWindow;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration responseTimeout() {
    return responseTimeout;
  }

  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  public int maxConnections() {
    return maxConnections;
  }

  public int weightLimitPerMinute() {
    return weightLimitPerMinute;
  }

  public BigDecimal weightMaxShare() {
    return weightMaxShare;
  }

  public Duration weightMaxWait() {
    return weightMaxWait;
  }

  public int retryMaxAttempts() {
    return retryMaxAttempts;
  }

  public Duration retryInitialBackoff() {
    return retryInitialBackoff;
  }

  public Duration retryMaxBackoff() {
    return retryMaxBackoff;
  }

  public Duration clockResyncInterval() {
    return clockResyncInterval;
  }

  @Override
  public String toString() {
    return "BinanceClientConfig{baseUrl="
        + baseUrl
        + ", timeUrl="
        + timeUrl.map(URI::toString).orElse(NO_TIME_URL)
        + ", recvWindow="
        + recvWindow
        + ", weightLimitPerMinute="
        + weightLimitPerMinute
        + ", weightMaxShare="
        + weightMaxShare
        + ", retryMaxAttempts="
        + retryMaxAttempts
        + "}";
  }

  /** https anywhere; plain http only to this machine (simulator, tests). */
  static boolean isAllowedUrl(String url) {
    try {
      return isAllowedUrl(URI.create(url));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static boolean isAllowedUrl(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    String host = url.getHost();
    if (host == null || url.getRawQuery() != null || url.getRawFragment() != null) {
      return false;
    }
    return scheme.equals("https") || (scheme.equals("http") && isLoopback(host));
  }

  /** A literal loopback host, decided without DNS (a name could resolve elsewhere later). */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.equals("[::1]") || h.equals("::1")) {
      return true;
    }
    String[] octets = h.split("\\.", -1);
    if (octets.length != 4 || !octets[0].equals("127")) {
      return false;
    }
    for (String octet : octets) {
      if (!octet.matches("\\d{1,3}") || Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return true;
  }

  private static Optional<URI> timeUrl(ConfigReader reader, URI baseUrl) {
    Optional<String> explicit = reader.settings().get(TIME_URL.name());
    if (explicit.isEmpty() && !baseUrl.equals(URI.create(DEFAULT_BASE_URL))) {
      return Optional.empty();
    }
    if (explicit.isPresent() && explicit.get().isBlank()) {
      return Optional.empty();
    }
    String value = reader.get(TIME_URL);
    if (value == null || value.isBlank() || value.trim().equalsIgnoreCase(NO_TIME_URL)) {
      return Optional.empty();
    }
    return Optional.of(URI.create(value.trim()));
  }

  private static boolean isPositiveUpToFiveMinutes(Duration d) {
    return d.compareTo(Duration.ofMillis(1)) >= 0 && d.compareTo(Duration.ofMinutes(5)) <= 0;
  }

  private static <T> T orDefault(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
