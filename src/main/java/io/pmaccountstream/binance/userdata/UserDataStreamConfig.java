package io.pmaccountstream.binance.userdata;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How the user-data streams run: the WebSocket base, the listen-key keep-alive, the proactive
 * reconnect before Binance's 24-hour cut, ping/pong and reconnect backoff. Immutable and valid by
 * construction: {@link #from(ConfigReader)} returns a fully validated value or throws a {@link
 * ConfigException} listing every problem.
 */
public final class UserDataStreamConfig {

  public static final String DEFAULT_WS_BASE_URL = "wss://fstream.binance.com/pm/ws";

  public static final ConfigField<Boolean> ENABLED =
      ConfigField.bool(
              "binance.user.stream.enabled",
              "Open each account's Portfolio Margin user-data stream (listenKey + WebSocket): its"
                  + " events trigger polls early; polling stays the ground truth")
          .withDefault("false");

  public static final ConfigField<URI> WS_BASE_URL =
      ConfigField.uri(
              "binance.ws.base.url",
              "User-data stream WebSocket base; a stream is <base>/<listenKey>")
          .withDefault(DEFAULT_WS_BASE_URL)
          .validate(
              UserDataStreamConfig::isAllowedWsUrl,
              "a wss:// URL (ws:// only for a loopback host such as 127.0.0.1), without query");

  public static final ConfigField<Duration> KEEPALIVE =
      ConfigField.duration(
              "binance.user.stream.keepalive",
              "How often the listen key is kept alive (PUT /papi/v1/listenKey); a key lives 60"
                  + " minutes")
          .withDefault("30m")
          .validate(
              d ->
                  d.compareTo(Duration.ofSeconds(1)) >= 0
                      && d.compareTo(Duration.ofMinutes(59)) <= 0,
              "between 1s and 59m");

  public static final ConfigField<Duration> MAX_CONNECTION_AGE =
      ConfigField.duration(
              "binance.user.stream.max.connection.age",
              "Age at which a stream connection is replaced by a new one, before Binance's 24-hour"
                  + " cut")
          .withDefault("23h")
          .validate(
              d -> d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(Duration.ofHours(24)) < 0,
              "at least 1s and less than 24h");

  public static final ConfigField<Duration> PING_INTERVAL =
      ConfigField.duration(
              "binance.user.stream.ping.interval",
              "How often the client pings each stream connection")
          .withDefault("3m")
          .validate(
              d ->
                  d.compareTo(Duration.ofMillis(100)) >= 0
                      && d.compareTo(Duration.ofMinutes(10)) <= 0,
              "between 100ms and 10m");

  public static final ConfigField<Duration> PONG_TIMEOUT =
      ConfigField.duration(
              "binance.user.stream.pong.timeout",
              "A connection that sends no frame (pong or event) this long after a ping is taken"
                  + " as dead and replaced")
          .withDefault("30s")
          .validate(
              d ->
                  d.compareTo(Duration.ofMillis(100)) >= 0
                      && d.compareTo(Duration.ofMinutes(5)) <= 0,
              "between 100ms and 5m");

  public static final ConfigField<Duration> RECONNECT_INITIAL_BACKOFF =
      ConfigField.duration(
              "binance.user.stream.reconnect.initial.backoff",
              "Wait before the first reconnect after a drop or error; doubles per failed attempt,"
                  + " with jitter")
          .withDefault("1s")
          .validate(d -> d.compareTo(Duration.ofMillis(1)) >= 0, "at least 1ms");

  public static final ConfigField<Duration> RECONNECT_MAX_BACKOFF =
      ConfigField.duration(
              "binance.user.stream.reconnect.max.backoff", "Cap of the wait between reconnects")
          .withDefault("1m")
          .validate(d -> d.compareTo(Duration.ofMillis(1)) >= 0, "at least 1ms");

  private final boolean enabled;
  private final URI wsBaseUrl;
  private final Duration keepalive;
  private final Duration maxConnectionAge;
  private final Duration pingInterval;
  private final Duration pongTimeout;
  private final Duration reconnectInitialBackoff;
  private final Duration reconnectMaxBackoff;

  private UserDataStreamConfig(
      boolean enabled,
      URI wsBaseUrl,
      Duration keepalive,
      Duration maxConnectionAge,
      Duration pingInterval,
      Duration pongTimeout,
      Duration reconnectInitialBackoff,
      Duration reconnectMaxBackoff) {
    this.enabled = enabled;
    this.wsBaseUrl = wsBaseUrl;
    this.keepalive = keepalive;
    this.maxConnectionAge = maxConnectionAge;
    this.pingInterval = pingInterval;
    this.pongTimeout = pongTimeout;
    this.reconnectInitialBackoff = reconnectInitialBackoff;
    this.reconnectMaxBackoff = reconnectMaxBackoff;
  }

  /**
   * Reads and validates every field; throws a {@link ConfigException} listing every problem the
   * reader holds (this component's and those read before it).
   */
  public static UserDataStreamConfig from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    Boolean enabled = reader.get(ENABLED);
    URI wsBaseUrl = reader.get(WS_BASE_URL);
    Duration keepalive = reader.get(KEEPALIVE);
    Duration maxAge = reader.get(MAX_CONNECTION_AGE);
    Duration ping = reader.get(PING_INTERVAL);
    Duration pong = reader.get(PONG_TIMEOUT);
    Duration initial = reader.get(RECONNECT_INITIAL_BACKOFF);
    Duration max = reader.get(RECONNECT_MAX_BACKOFF);
    reader.requireNotShorter(RECONNECT_MAX_BACKOFF, max, RECONNECT_INITIAL_BACKOFF, initial, false);
    checkpoint.throwIfNewProblems();
    return new UserDataStreamConfig(
        enabled, stripTrailingSlash(wsBaseUrl), keepalive, maxAge, ping, pong, initial, max);
  }

  /** Every key this component reads, for the README's configuration table. */
  public static List<ConfigField<?>> fields() {
    return List.of(
        ENABLED,
        WS_BASE_URL,
        KEEPALIVE,
        MAX_CONNECTION_AGE,
        PING_INTERVAL,
        PONG_TIMEOUT,
        RECONNECT_INITIAL_BACKOFF,
        RECONNECT_MAX_BACKOFF);
  }

  public boolean enabled() {
    return enabled;
  }

  /** The base without a trailing slash: a stream is {@code wsBaseUrl() + "/" + listenKey}. */
  public URI wsBaseUrl() {
    return wsBaseUrl;
  }

  public Duration keepalive() {
    return keepalive;
  }

  public Duration maxConnectionAge() {
    return maxConnectionAge;
  }

  public Duration pingInterval() {
    return pingInterval;
  }

  public Duration pongTimeout() {
    return pongTimeout;
  }

  public Duration reconnectInitialBackoff() {
    return reconnectInitialBackoff;
  }

  public Duration reconnectMaxBackoff() {
    return reconnectMaxBackoff;
  }

  @Override
  public String toString() {
    return "UserDataStreamConfig{enabled="
        + enabled
        + ", wsBaseUrl="
        + wsBaseUrl
        + ", keepalive="
        + keepalive
        + ", maxConnectionAge="
        + maxConnectionAge
        + "}";
  }

  /** wss anywhere; plain ws only to this machine (simulator, tests). */
  static boolean isAllowedWsUrl(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    String host = url.getHost();
    if (host == null || url.getRawQuery() != null || url.getRawFragment() != null) {
      return false;
    }
    return scheme.equals("wss") || (scheme.equals("ws") && isLoopback(host));
  }

  private static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost")
        || h.equals("[::1]")
        || h.equals("::1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  private static URI stripTrailingSlash(URI url) {
    String text = url.toString();
    return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : url;
  }
}
