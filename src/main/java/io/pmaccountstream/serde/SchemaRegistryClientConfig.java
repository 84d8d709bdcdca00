package io.pmaccountstream.serde;

import io.pmaccountstream.config.Secret;
import io.pmaccountstream.kafka.KafkaConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * Where the registry is and how to authenticate: built from our {@link KafkaConnection} or from the
 * Confluent-style serde properties a Kafka client hands to {@code configure()}. Credentials are
 * {@link Secret}s and URLs never carry user info, so this record prints safely.
 *
 * @param urls one or more base URLs (Confluent API root, e.g. {@code http://host:8081} or
 *     Apicurio's {@code http://host:8080/apis/ccompat/v7}); tried in order when one is unreachable
 * @param basicUserInfo {@code user:password} for HTTP basic auth
 * @param bearerToken a static bearer token
 * @param truststore PEM file of the CA certificates an https registry's certificate chains to;
 *     empty for the JVM's trust store
 */
public record SchemaRegistryClientConfig(
    List<URI> urls,
    Optional<Secret> basicUserInfo,
    Optional<Secret> bearerToken,
    Duration connectTimeout,
    Duration responseTimeout,
    Optional<Path> truststore) {

  /** Comma-separated base URL(s) of the registry. */
  public static final String URL = "schema.registry.url";

  /** {@code USER_INFO} (read {@link #BASIC_AUTH_USER_INFO}) or {@code URL} (user info in URL). */
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";

  /** {@code user:password}. */
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";

  /** Older Confluent alias of {@link #BASIC_AUTH_USER_INFO}. */
  public static final String SCHEMA_REGISTRY_USER_INFO = "schema.registry.basic.auth.user.info";

  /** Only {@code STATIC_TOKEN} is supported. */
  public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";

  public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";

  /** Our key: connect and response timeout of every registry call, in milliseconds. */
  public static final String TIMEOUT_MS = "schema.registry.timeout.ms";

  /** Confluent's client key for the connect timeout; wins over {@link #TIMEOUT_MS}. */
  public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";

  /** Confluent's client key for the response (read) timeout; wins over {@link #TIMEOUT_MS}. */
  public static final String HTTP_READ_TIMEOUT_MS = "http.read.timeout.ms";

  /** Confluent's client key: the truststore of https registry calls (here: a PEM file). */
  public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";

  /** Confluent's client key; only {@code PEM} is supported. */
  public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";

  /**
   * Our key: accept an {@code http://} URL for a host that is not a loopback address (the rule of
   * {@link KafkaConnection#insecureRegistryUrlProblem}); {@code false} by default.
   */
  public static final String ALLOW_INSECURE = "schema.registry.allow.insecure";

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** Without a truststore of its own (the JVM's). */
  public SchemaRegistryClientConfig(
      List<URI> urls,
      Optional<Secret> basicUserInfo,
      Optional<Secret> bearerToken,
      Duration connectTimeout,
      Duration responseTimeout) {
    this(urls, basicUserInfo, bearerToken, connectTimeout, responseTimeout, Optional.empty());
  }

  public SchemaRegistryClientConfig {
    urls = List.copyOf(urls);
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("at least one schema registry URL is required");
    }
    if (basicUserInfo.isPresent() && bearerToken.isPresent()) {
      throw new IllegalArgumentException("use basic auth or a bearer token, not both");
    }
  }

  /** One URL, no authentication, the default timeout. */
  public static SchemaRegistryClientConfig of(URI url) {
    return new SchemaRegistryClientConfig(
        List.of(url), Optional.empty(), Optional.empty(), DEFAULT_TIMEOUT, DEFAULT_TIMEOUT);
  }

  public static SchemaRegistryClientConfig from(KafkaConnection connection) {
    Optional<Secret> userInfo =
        connection
            .registryBasicAuthUserInfo()
            .flatMap(
                user ->
                    connection
                        .registryBasicAuthPassword()
                        .map(password -> Secret.of(user + ":" + password.reveal())));
    return new SchemaRegistryClientConfig(
        List.of(connection.schemaRegistryUrl()),
        userInfo,
        connection.registryBearerToken(),
        connection.registryTimeout(),
        connection.registryTimeout(),
        connection.registryTruststore());
  }

  /**
   * From the properties of a Kafka client, as Confluent's serdes read them: {@value #URL}, {@value
   * #BASIC_AUTH_CREDENTIALS_SOURCE} ({@code USER_INFO} or {@code URL}), {@value
   * #BASIC_AUTH_USER_INFO}, {@value #BEARER_AUTH_CREDENTIALS_SOURCE} ({@code STATIC_TOKEN}),
   * {@value #BEARER_AUTH_TOKEN}, {@value #HTTP_CONNECT_TIMEOUT_MS}, {@value #HTTP_READ_TIMEOUT_MS}
   * and our {@value #TIMEOUT_MS} and {@value #ALLOW_INSECURE}. An {@code http://} URL to a host
   * that is not a loopback address is refused unless {@value #ALLOW_INSECURE} is {@code true}, as
   * {@link KafkaConnection#from} refuses it.
   *
   * @throws ConfigException naming the key when a value is missing, unsupported or insecure
   */
  public static SchemaRegistryClientConfig fromSerdeConfigs(Map<String, ?> configs) {
    String rawUrls = string(configs, URL).orElseThrow(() -> missing(URL));
    List<URI> withUserInfo = parseUrls(rawUrls);
    List<URI> urls =
        withUserInfo.stream().map(SchemaRegistryClientConfig::withoutUserInfo).toList();
    boolean allowInsecure = bool(configs, ALLOW_INSECURE);
    for (URI url : urls) {
      Optional<String> problem = KafkaConnection.insecureRegistryUrlProblem(url, allowInsecure);
      if (problem.isPresent()) {
        throw new ConfigException(problem.get());
      }
    }

    Optional<Secret> basic = Optional.empty();
    String basicSource =
        string(configs, BASIC_AUTH_CREDENTIALS_SOURCE).orElse("URL").toUpperCase(Locale.ROOT);
    Optional<String> userInfo =
        string(configs, BASIC_AUTH_USER_INFO).or(() -> string(configs, SCHEMA_REGISTRY_USER_INFO));
    switch (basicSource) {
      case "USER_INFO" -> {
        String info =
            userInfo.orElseThrow(
                () ->
                    new ConfigException(
                        BASIC_AUTH_USER_INFO
                            + " is required when "
                            + BASIC_AUTH_CREDENTIALS_SOURCE
                            + "=USER_INFO"));
        if (!info.contains(":")) {
          throw new ConfigException(BASIC_AUTH_USER_INFO, "[hidden]", "expected user:password");
        }
        basic = Optional.of(Secret.of(info));
      }
      case "URL" -> {
        String info = withUserInfo.get(0).getRawUserInfo();
        if (info != null) {
          basic = Optional.of(Secret.of(decode(info)));
        }
      }
      default ->
          throw new ConfigException(
              BASIC_AUTH_CREDENTIALS_SOURCE, basicSource, "supported values are USER_INFO and URL");
    }

    Optional<Secret> bearer = string(configs, BEARER_AUTH_TOKEN).map(Secret::of);
    Optional<String> bearerSource =
        string(configs, BEARER_AUTH_CREDENTIALS_SOURCE).map(s -> s.toUpperCase(Locale.ROOT));
    if (bearerSource.isPresent() && !bearerSource.get().equals("STATIC_TOKEN")) {
      throw new ConfigException(
          BEARER_AUTH_CREDENTIALS_SOURCE,
          bearerSource.get(),
          "only STATIC_TOKEN is supported (set " + BEARER_AUTH_TOKEN + ")");
    }
    if (bearerSource.isPresent() && bearer.isEmpty()) {
      throw missing(BEARER_AUTH_TOKEN);
    }
    if (basic.isPresent() && bearer.isPresent()) {
      throw new ConfigException(
          "set either basic auth ("
              + BASIC_AUTH_USER_INFO
              + ") or "
              + BEARER_AUTH_TOKEN
              + ", not both");
    }

    Optional<String> truststoreType =
        string(configs, SSL_TRUSTSTORE_TYPE).map(t -> t.toUpperCase(Locale.ROOT));
    if (truststoreType.isPresent() && !truststoreType.get().equals("PEM")) {
      throw new ConfigException(SSL_TRUSTSTORE_TYPE, truststoreType.get(), "only PEM is supported");
    }
    Duration timeout = millis(configs, TIMEOUT_MS).orElse(DEFAULT_TIMEOUT);
    return new SchemaRegistryClientConfig(
        urls,
        basic,
        bearer,
        millis(configs, HTTP_CONNECT_TIMEOUT_MS).orElse(timeout),
        millis(configs, HTTP_READ_TIMEOUT_MS).orElse(timeout),
        string(configs, SSL_TRUSTSTORE_LOCATION).map(Path::of));
  }

  private static List<URI> parseUrls(String raw) {
    List<URI> urls = new ArrayList<>();
    for (String part : Arrays.stream(raw.split(",")).map(String::trim).toList()) {
      if (part.isEmpty()) {
        continue;
      }
      URI uri;
      try {
        uri = new URI(part);
      } catch (URISyntaxException e) {
        throw new ConfigException(URL, "[not shown]", "not a URL: " + e.getReason());
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new ConfigException(URL, withoutUserInfo(uri).toString(), "expected an http(s) URL");
      }
      urls.add(uri);
    }
    if (urls.isEmpty()) {
      throw missing(URL);
    }
    return urls;
  }

  /** The URL without {@code user:password@}, safe to print. */
  static URI withoutUserInfo(URI uri) {
    if (uri.getRawUserInfo() == null) {
      return uri;
    }
    try {
      return new URI(
          uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot strip user info from a registry URL", e);
    }
  }

  private static String decode(String rawUserInfo) {
    return java.net.URLDecoder.decode(
        rawUserInfo.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static Optional<String> string(Map<String, ?> configs, String key) {
    Object value = configs.get(key);
    if (value == null) {
      return Optional.empty();
    }
    String text =
        value instanceof org.apache.kafka.common.config.types.Password p
            ? p.value()
            : value.toString();
    return text.isBlank() ? Optional.empty() : Optional.of(text.trim());
  }

  private static boolean bool(Map<String, ?> configs, String key) {
    Optional<String> raw = string(configs, key);
    if (raw.isEmpty() || raw.get().equalsIgnoreCase("false")) {
      return false;
    }
    if (raw.get().equalsIgnoreCase("true")) {
      return true;
    }
    throw new ConfigException(key, raw.get(), "expected true or false");
  }

  private static Optional<Duration> millis(Map<String, ?> configs, String key) {
    Optional<String> raw = string(configs, key);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    long ms;
    try {
      ms = Long.parseLong(raw.get());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, raw.get(), "expected milliseconds");
    }
    if (ms <= 0) {
      throw new ConfigException(key, raw.get(), "must be positive");
    }
    return Optional.of(Duration.ofMillis(ms));
  }

  private static ConfigException missing(String key) {
    return new ConfigException("Missing required configuration \"" + key + "\"");
  }
}
