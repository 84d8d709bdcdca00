package io.pmaccountstream.kafka;

import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where Kafka and the schema registry are, and how to authenticate. Any key starting with {@code
 * kafka.} is passed to every Kafka client with the prefix removed ({@code
 * kafka.security.protocol=SASL_SSL}), so TLS/SASL and client tuning need no code here.
 */
public record KafkaConnection(
    String bootstrapServers,
    URI schemaRegistryUrl,
    Optional<String> registryBasicAuthUserInfo,
    Optional<Secret> registryBasicAuthPassword,
    Optional<Secret> registryBearerToken,
    Duration registryTimeout,
    Map<String, String> clientOverrides) {

  public static final String CLIENT_PREFIX = "kafka.";

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
  public static final ConfigField<Secret> REGISTRY_BEARER_TOKEN =
      ConfigField.secret("schema.registry.bearer.token", "Registry bearer token (optional)");
  public static final ConfigField<Duration> REGISTRY_TIMEOUT =
      ConfigField.duration(
              "schema.registry.timeout", "Connect and response timeout of registry calls")
          .withDefault("10s")
          .validate(d -> !d.isNegative() && !d.isZero(), "positive");

  public static KafkaConnection from(ConfigReader reader) {
    Optional<String> user = reader.read(REGISTRY_BASIC_AUTH_USER);
    Optional<Secret> password = reader.read(REGISTRY_BASIC_AUTH_PASSWORD);
    Optional<Secret> bearer = reader.read(REGISTRY_BEARER_TOKEN);
    if (user.isPresent() != password.isPresent()) {
      reader.problem(
          "schema.registry.basic.auth.user and schema.registry.basic.auth.password must be set together");
    }
    if (user.isPresent() && bearer.isPresent()) {
      reader.problem("set either registry basic auth or a bearer token, not both");
    }
    return new KafkaConnection(
        reader.get(BOOTSTRAP_SERVERS),
        reader.get(SCHEMA_REGISTRY_URL),
        user,
        password,
        bearer,
        reader.get(REGISTRY_TIMEOUT),
        reader.settings().withPrefix(CLIENT_PREFIX));
  }

  public static List<ConfigField<?>> fields() {
    return List.of(
        BOOTSTRAP_SERVERS,
        SCHEMA_REGISTRY_URL,
        REGISTRY_BASIC_AUTH_USER,
        REGISTRY_BASIC_AUTH_PASSWORD,
        REGISTRY_BEARER_TOKEN,
        REGISTRY_TIMEOUT);
  }

  /**
   * Properties the Confluent-style serdes read in {@code configure()}: ours, or Confluent's own
   * when a user names them in {@code kafka.value.serializer}.
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
    return props;
  }

  /** Base properties for any Kafka client: bootstrap servers plus the pass-through overrides. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new HashMap<>(clientOverrides);
    props.put("bootstrap.servers", bootstrapServers);
    return props;
  }
}
