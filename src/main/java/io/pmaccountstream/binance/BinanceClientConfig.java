package io.pmaccountstream.binance;

import io.pmaccountstream.config.ConfigException;
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
 * budget. Immutable and valid by construction: {@link #from(ConfigReader)} returns a fully
 * validated value or throws a {@link ConfigException} listing every problem.
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
                  + " precise; empty or 'none' to rely on the Date headers only (3 of the last 5 must agree)."
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
              "binance.max.connections",
              "Size of the pooled keep-alive connections to Binance; at least poll.max.concurrent,"
                  + " so that no poll waits for another's connection")
          .withDefault("32")
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
              "How often the server-clock offset is re-measured at binance.time.url (between"
                  + " measurements, Date headers correct it when 3 of the last 5 agree)")
          .withDefault("5m")
          .validate(d -> d.compareTo(Duration.ofSeconds(1)) >= 0, "at least 1s");

  public static final ConfigField<Duration> RESPONSE_DEADLINE =
      ConfigField.duration(
              "binance.response.deadline",
              "Longest a whole request may take, from waiting for a pooled connection to the last"
                  + " byte of the body; a slower answer (a dripping body) is cut and retried as a"
                  + " timeout")
          .withDefault("10s")
          .validate(BinanceClientConfig::isPositiveUpToFiveMinutes, "between 1ms and 5m");

  public static final ConfigField<Duration> RATE_LIMIT_MAX_PAUSE =
      ConfigField.duration(
              "binance.rate.limit.max.pause",
              "Cap of the pause a 429's Retry-After imposes on every request: Binance's request"
                  + " weight is counted per minute, so a longer one is a broken header (a 418 ban"
                  + " is capped at Binance's documented 3 days instead)")
          .withDefault("1m")
          .validate(
              d -> d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(Duration.ofHours(1)) <= 0,
              "between 1s and 1h");

  public static final ConfigField<Duration> UPDATE_TIME_MAX_AHEAD =
      ConfigField.duration(
              "binance.update.time.max.ahead",
              "How far an account's updateTime may lie ahead of the server clock; further ahead"
                  + " (or before 2017) is a bad payload")
          .withDefault("5m")
          .validate(d -> !d.isNegative() && d.compareTo(Duration.ofDays(1)) <= 0, "0s to 1d");

  public static final ConfigField<Duration> CLOCK_MAX_OFFSET =
      ConfigField.duration(
              "binance.clock.max.offset",
              "Largest server-clock offset believed: a Date header or time-endpoint answer"
                  + " further than this from the local clock is ignored as implausible")
          .withDefault("1h")
          .validate(
              d -> d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(Duration.ofDays(1)) <= 0,
              "between 1s and 1d");

  private final URI baseUrl;
  private final Optional<URI> timeUrl;
  private final Duration recvWindow;
  private final Duration connectTimeout;
  private final Duration responseTimeout;
  private final Duration responseDeadline;
  private final int maxBodyBytes;
  private final int maxConnections;
  private final int weightLimitPerMinute;
  private final BigDecimal weightMaxShare;
  private final Duration weightMaxWait;
  private final Duration rateLimitMaxPause;
  private final int retryMaxAttempts;
  private final Duration retryInitialBackoff;
  private final Duration retryMaxBackoff;
  private final Duration clockResyncInterval;
  private final Duration clockMaxOffset;
  private final Duration updateTimeMaxAhead;

  private BinanceClientConfig(Builder b) {
    this.baseUrl = b.baseUrl;
    this.timeUrl = b.timeUrl;
    this.recvWindow = b.recvWindow;
    this.connectTimeout = b.connectTimeout;
    this.responseTimeout = b.responseTimeout;
    this.responseDeadline = b.responseDeadline;
    this.maxBodyBytes = b.maxBodyBytes;
    this.maxConnections = b.maxConnections;
    this.weightLimitPerMinute = b.weightLimitPerMinute;
    this.weightMaxShare = b.weightMaxShare;
    this.weightMaxWait = b.weightMaxWait;
    this.rateLimitMaxPause = b.rateLimitMaxPause;
    this.retryMaxAttempts = b.retryMaxAttempts;
    this.retryInitialBackoff = b.retryInitialBackoff;
    this.retryMaxBackoff = b.retryMaxBackoff;
    this.clockResyncInterval = b.clockResyncInterval;
    this.clockMaxOffset = b.clockMaxOffset;
    this.updateTimeMaxAhead = b.updateTimeMaxAhead;
  }

  /**
   * Reads and validates every field: returns a fully valid config, or throws a {@link
   * ConfigException} listing every problem the reader holds (this component's and those of the
   * components read before it, so a caller that reads this one last reports everything at once).
   * The problems stay recorded in {@code reader}. Nothing falls back to a default.
   *
   * @throws ConfigException when any field of this component is invalid
   */
  public static BinanceClientConfig from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    Builder b = new Builder();
    b.baseUrl = reader.get(BASE_URL);
    b.recvWindow = reader.get(RECV_WINDOW);
    b.connectTimeout = reader.get(CONNECT_TIMEOUT);
    b.responseTimeout = reader.get(RESPONSE_TIMEOUT);
    b.responseDeadline = reader.get(RESPONSE_DEADLINE);
    b.maxBodyBytes = reader.get(MAX_BODY_BYTES);
    b.maxConnections = reader.get(MAX_CONNECTIONS);
    b.weightLimitPerMinute = reader.get(WEIGHT_LIMIT_PER_MINUTE);
    b.weightMaxShare = reader.get(WEIGHT_MAX_SHARE);
    b.weightMaxWait = reader.get(WEIGHT_MAX_WAIT);
    b.rateLimitMaxPause = reader.get(RATE_LIMIT_MAX_PAUSE);
    b.retryMaxAttempts = reader.get(RETRY_MAX_ATTEMPTS);
    b.retryInitialBackoff = reader.get(RETRY_INITIAL_BACKOFF);
    b.retryMaxBackoff = reader.get(RETRY_MAX_BACKOFF);
    b.clockResyncInterval = reader.get(CLOCK_RESYNC_INTERVAL);
    b.clockMaxOffset = reader.get(CLOCK_MAX_OFFSET);
    b.updateTimeMaxAhead = reader.get(UPDATE_TIME_MAX_AHEAD);
    b.timeUrl = b.baseUrl == null ? Optional.empty() : timeUrl(reader, b.baseUrl);
    reader.requireNotShorter(
        RETRY_MAX_BACKOFF, b.retryMaxBackoff, RETRY_INITIAL_BACKOFF, b.retryInitialBackoff, false);
    checkpoint.throwIfNewProblems();
    return new BinanceClientConfig(b);
  }

  /** Every key this component reads, for the README's configuration table. */
  public static List<ConfigField<?>> fields() {
    return List.of(
        BASE_URL,
        TIME_URL,
        RECV_WINDOW,
        CONNECT_TIMEOUT,
        RESPONSE_TIMEOUT,
        RESPONSE_DEADLINE,
        MAX_BODY_BYTES,
        MAX_CONNECTIONS,
        WEIGHT_LIMIT_PER_MINUTE,
        WEIGHT_MAX_SHARE,
        WEIGHT_MAX_WAIT,
        RATE_LIMIT_MAX_PAUSE,
        RETRY_MAX_ATTEMPTS,
        RETRY_INITIAL_BACKOFF,
        RETRY_MAX_BACKOFF,
        CLOCK_RESYNC_INTERVAL,
        CLOCK_MAX_OFFSET,
        UPDATE_TIME_MAX_AHEAD);
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

  /** The overall deadline of one request, connection lease to last body byte. */
  public Duration responseDeadline() {
    return responseDeadline;
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

  /** Cap of a 429's Retry-After. */
  public Duration rateLimitMaxPause() {
    return rateLimitMaxPause;
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

  /** Largest plausible server-clock offset; evidence beyond it is ignored. */
  public Duration clockMaxOffset() {
    return clockMaxOffset;
  }

  /** How far an account's updateTime may lie ahead of the server clock. */
  public Duration updateTimeMaxAhead() {
    return updateTimeMaxAhead;
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

  /** What {@link #from} has read so far; null where a value was invalid. */
  private static final class Builder {
    private URI baseUrl;
    private Optional<URI> timeUrl;
    private Duration recvWindow;
    private Duration connectTimeout;
    private Duration responseTimeout;
    private Duration responseDeadline;
    private Integer maxBodyBytes;
    private Integer maxConnections;
    private Integer weightLimitPerMinute;
    private BigDecimal weightMaxShare;
    private Duration weightMaxWait;
    private Duration rateLimitMaxPause;
    private Integer retryMaxAttempts;
    private Duration retryInitialBackoff;
    private Duration retryMaxBackoff;
    private Duration clockResyncInterval;
    private Duration clockMaxOffset;
    private Duration updateTimeMaxAhead;
  }
}
