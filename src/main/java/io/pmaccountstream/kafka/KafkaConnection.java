package io.pmaccountstream.kafka;

import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Secret;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where Kafka and the schema registry are, and how to authenticate. Any key starting with {@code
 * kafka.} is passed to every Kafka client with the prefix removed ({@code
 * kafka.security.protocol=SASL_SSL}), so TLS/SASL, Kafka's config providers ({@code
 * kafka.config.providers=dir}, for passwords read from mounted files) and client tuning need no
 * code here.
 *
 * <p>The registry URL must be {@code https://} unless its host is a literal loopback address or
 * {@code schema.registry.allow.insecure=true}: registry credentials never travel in clear by
 * accident. Registry secrets can be read from files ({@code
 * schema.registry.basic.auth.password.file}, {@code schema.registry.bearer.token.file}).
 */
public record KafkaConnection(
    String bootstrapServers,
    URI schemaRegistryUrl,
    Optional<String> registryBasicAuthUserInfo,
    Optional<Secret> registryBasicAuthPassword,
    Optional<Secret> registryBearerToken,
    Duration registryTimeout,
    Map<String, String> clientOverrides,
    Optional<Path> registryTruststore,
    boolean registryAllowInsecure) {

  public static final String CLIENT_PREFIX = "kafka.";

  /** Stands for a Kafka client property in the pass-through template {@code kafka.<property>}. */
  public static final String CLIENT_PROPERTY_PLACEHOLDER = "<property>";

  /**
   * The pass-through template: not read as one key (every {@code kafka.*} key is), declared so that
   * the README's configuration table documents it with its environment form.
   */
  public static final ConfigField<String> CLIENT_PROPERTY =
      ConfigField.string(
          CLIENT_PREFIX + CLIENT_PROPERTY_PLACEHOLDER,
          "Any Kafka client property, given to every Kafka client (producers, consumers, admin,"
              + " Kafka Streams) with the prefix removed: kafka.security.protocol=SASL_SSL,"
              + " kafka.sasl.mechanism, kafka.sasl.jaas.config, kafka.ssl.truststore.location,"
              + " kafka.config.providers. It overrides the app's client defaults (acks, linger.ms,"
              + " Streams tuning), not what the app fixes (application.id, processing.guarantee)."
              + " From the environment, losslessly: PMAS_ + the key in upper case with . as _, _ as"
              + " __ and - as ___ (kafka.security.protocol is PMAS_KAFKA_SECURITY_PROTOCOL,"
              + " kafka.sasl.jaas.config is PMAS_KAFKA_SASL_JAAS_CONFIG); a property with upper-case"
              + " letters or two separators in a row has no environment name: set it in the file"
              + " or with a flag");

  public static final ConfigField<String> BOOTSTRAP_SERVERS =
      ConfigField.string("bootstrap.servers", "Kafka bootstrap servers (host:port,...)").required();
  public static final ConfigField<URI> SCHEMA_REGISTRY_URL =
      ConfigField.uri(
              "schema.registry.url",
              "Confluent-API schema registry base URL (Confluent, Apicurio /apis/ccompat/v7, Karapace, Redpanda)")
          .required()
          .validate(
              u -> "http".equals(u.getScheme()) || "https".equals(u.getScheme()), "an http(s) URL");
  public static final ConfigField<String> REGISTRY_BASIC_AUTH_USER =
      ConfigField.string(
          "schema.registry.basic.auth.user", "Registry basic-auth user name (optional)");
  public static final ConfigField<Secret> REGISTRY_BASIC_AUTH_PASSWORD =
      ConfigField.secret(
          "schema.registry.basic.auth.password", "Registry basic-auth password (optional)");
  public static final ConfigField<Path> REGISTRY_BASIC_AUTH_PASSWORD_FILE =
      ConfigField.path(
          "schema.registry.basic.auth.password.file",
          "File holding the registry basic-auth password (instead of"
              + " schema.registry.basic.auth.password)");
  public static final ConfigField<Secret> REGISTRY_BEARER_TOKEN =
      ConfigField.secret("schema.registry.bearer.token", "Registry bearer token (optional)");
  public static final ConfigField<Path> REGISTRY_BEARER_TOKEN_FILE =
      ConfigField.path(
          "schema.registry.bearer.token.file",
          "File holding the registry bearer token (instead of schema.registry.bearer.token)");
  public static final ConfigField<Path> REGISTRY_TRUSTSTORE =
      ConfigField.path(
          "schema.registry.ssl.truststore.location",
          "PEM file of the CA certificate(s) the registry's https certificate chains to (a"
              + " private CA); unset: the JVM's trust store");
  public static final ConfigField<Boolean> REGISTRY_ALLOW_INSECURE =
      ConfigField.bool(
              "schema.registry.allow.insecure",
              "Accept an http:// schema.registry.url for a host that is not a loopback address"
                  + " (credentials and schemas then travel in clear; for local plaintext clusters"
                  + " only)")
          .withDefault("false");
  public static final ConfigField<Duration> REGISTRY_TIMEOUT =
      ConfigField.duration(
              "schema.registry.timeout", "Connect and response timeout of registry calls")
          .withDefault("10s")
          .validate(d -> !d.isNegative() && !d.isZero(), "positive");

  /**
   * The connection without a registry truststore (the JVM's trust store), {@code http://} allowed
   * for a loopback host only.
   */
  public KafkaConnection(
      String bootstrapServers,
      URI schemaRegistryUrl,
      Optional<String> registryBasicAuthUserInfo,
      Optional<Secret> registryBasicAuthPassword,
      Optional<Secret> registryBearerToken,
      Duration registryTimeout,
      Map<String, String> clientOverrides) {
    this(
        bootstrapServers,
        schemaRegistryUrl,
        registryBasicAuthUserInfo,
        registryBasicAuthPassword,
        registryBearerToken,
        registryTimeout,
        clientOverrides,
        Optional.empty(),
        false);
  }

  public static KafkaConnection from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    Optional<String> user = reader.read(REGISTRY_BASIC_AUTH_USER);
    Optional<Secret> password =
        secret(reader, REGISTRY_BASIC_AUTH_PASSWORD, REGISTRY_BASIC_AUTH_PASSWORD_FILE);
    Optional<Secret> bearer = secret(reader, REGISTRY_BEARER_TOKEN, REGISTRY_BEARER_TOKEN_FILE);
    URI registryUrl = reader.get(SCHEMA_REGISTRY_URL);
    Optional<Path> truststore = reader.read(REGISTRY_TRUSTSTORE);
    truststore.ifPresent(
        pem -> {
          try {
            PemTrustStore.sslContext(pem);
          } catch (IllegalArgumentException e) {
            reader.problem(REGISTRY_TRUSTSTORE.name() + " = " + pem + ": " + e.getMessage());
          }
        });
    boolean allowInsecure = Boolean.TRUE.equals(reader.get(REGISTRY_ALLOW_INSECURE));
    if (registryUrl != null) {
      insecureRegistryUrlProblem(registryUrl, allowInsecure).ifPresent(reader::problem);
    }
    if (user.isPresent() != password.isPresent()) {
      reader.problem(
          "schema.registry.basic.auth.user and schema.registry.basic.auth.password must be set together");
    }
    if (user.isPresent() && bearer.isPresent()) {
      reader.problem("set either registry basic auth or a bearer token, not both");
    }
    KafkaConnection connection =
        new KafkaConnection(
            reader.get(BOOTSTRAP_SERVERS),
            registryUrl,
            user,
            password,
            bearer,
            reader.get(REGISTRY_TIMEOUT),
            reader.settings().withPrefix(CLIENT_PREFIX),
            truststore,
            allowInsecure);
    checkpoint.throwIfNewProblems();
    return connection;
  }

  public static List<ConfigField<?>> fields() {
    return List.of(
        BOOTSTRAP_SERVERS,
        SCHEMA_REGISTRY_URL,
        REGISTRY_BASIC_AUTH_USER,
        REGISTRY_BASIC_AUTH_PASSWORD,
        REGISTRY_BASIC_AUTH_PASSWORD_FILE,
        REGISTRY_BEARER_TOKEN,
        REGISTRY_BEARER_TOKEN_FILE,
        REGISTRY_TRUSTSTORE,
        REGISTRY_ALLOW_INSECURE,
        REGISTRY_TIMEOUT);
  }

  /**
   * The {@code Authorization} header value every registry caller sends (the serdes' client and the
   * health check alike): {@code Basic base64(user:password)} or {@code Bearer token}.
   */
  public Optional<Secret> registryAuthorization() {
    if (registryBasicAuthUserInfo.isPresent() && registryBasicAuthPassword.isPresent()) {
      String userInfo =
          registryBasicAuthUserInfo.get() + ":" + registryBasicAuthPassword.get().reveal();
      return Optional.of(
          Secret.of(
              "Basic "
                  + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8))));
    }
    return registryBearerToken.map(token -> Secret.of("Bearer " + token.reveal()));
  }

  /** The value key, or the content of the file key; both set is a problem. */
  private static Optional<Secret> secret(
      ConfigReader reader, ConfigField<Secret> valueField, ConfigField<Path> fileField) {
    Optional<Secret> value = reader.read(valueField);
    Optional<Path> file = reader.read(fileField);
    if (file.isEmpty()) {
      return value;
    }
    if (value.isPresent()) {
      reader.problem("set " + valueField.name() + " or " + fileField.name() + ", not both");
      return Optional.empty();
    }
    return Secret.fromFile(reader, fileField, file.get());
  }

  /** The TLS context of registry calls: the PEM truststore's, if one is configured. */
  public Optional<javax.net.ssl.SSLContext> registrySslContext() {
    return registryTruststore.map(PemTrustStore::sslContext);
  }

  /**
   * Why a registry URL is refused, if it is: plain {@code http://} to a host that is not a literal
   * loopback address, unless {@code allowInsecure} ({@code schema.registry.allow.insecure=true}).
   * Every way of configuring a registry client applies this one rule: {@link #from} and a serde
   * configured by class name from Kafka client properties.
   *
   * @return the problem, naming the URL without its user info and the way out; empty when accepted
   */
  public static Optional<String> insecureRegistryUrlProblem(URI url, boolean allowInsecure) {
    if (allowInsecure || !"http".equals(url.getScheme()) || isLoopback(url.getHost())) {
      return Optional.empty();
    }
    return Optional.of(
        SCHEMA_REGISTRY_URL.name()
            + " = '"
            + withoutUserInfo(url)
            + "' is plain http to a host that is not a loopback address: schemas and registry"
            + " credentials would travel in clear. Use https://, or set "
            + REGISTRY_ALLOW_INSECURE.name()
            + "=true for a local plaintext cluster");
  }

  /** A literal loopback host, decided without DNS (a name could resolve elsewhere later). */
  static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost")
        || h.equals("[::1]")
        || h.equals("::1")
        || h.matches("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){2}");
  }

  private static String withoutUserInfo(URI url) {
    return url.getRawUserInfo() == null
        ? url.toString()
        : url.toString().replace(url.getRawUserInfo() + "@", "");
  }

  /**
   * Properties the Confluent-style serdes read in {@code configure()}: ours, or Confluent's own
   * when a user names them in {@code kafka.value.serializer}. {@code
   * schema.registry.allow.insecure} is passed on when set, so that a serde configured by class name
   * accepts the same URLs as this connection ({@link #insecureRegistryUrlProblem}).
   */
  public Map<String, Object> serdeProperties() {
    Map<String, Object> props = new HashMap<>();
    props.put("schema.registry.url", schemaRegistryUrl.toString());
    if (registryBasicAuthUserInfo.isPresent() && registryBasicAuthPassword.isPresent()) {
      props.put("basic.auth.credentials.source", "USER_INFO");
      props.put(
          "basic.auth.user.info",
          registryBasicAuthUserInfo.get() + ":" + registryBasicAuthPassword.get().reveal());
    }
    registryBearerToken.ifPresent(
        t -> {
          props.put("bearer.auth.credentials.source", "STATIC_TOKEN");
          props.put("bearer.auth.token", t.reveal());
        });
    props.put("schema.registry.timeout.ms", Long.toString(registryTimeout.toMillis()));
    registryTruststore.ifPresent(
        pem -> {
          props.put("schema.registry.ssl.truststore.location", pem.toString());
          props.put("schema.registry.ssl.truststore.type", "PEM");
        });
    if (registryAllowInsecure) {
      props.put(REGISTRY_ALLOW_INSECURE.name(), "true");
    }
    return props;
  }

  /** Base properties for any Kafka client: bootstrap servers plus the pass-through overrides. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new HashMap<>(clientOverrides);
    props.put("bootstrap.servers", bootstrapServers);
    return props;
  }
}
