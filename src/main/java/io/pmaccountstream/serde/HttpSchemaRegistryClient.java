package io.pmaccountstream.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.PemTrustStore;
import io.pmaccountstream.serde.SchemaRegistryException.Reason;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent Schema Registry REST client (Confluent, Apicurio's {@code /apis/ccompat/v7},
 * Karapace, Redpanda) over Apache HttpClient 5 with bounded connect and response timeouts and no
 * automatic retries: every failure is a {@link SchemaRegistryException} within one timeout per URL,
 * and the caller decides whether to try again ({@link SchemaRegistryException#isRetriable()}).
 * Nothing is cached after a failure, so the next call asks the registry again.
 *
 * <p>Ids by (subject, schema) and schemas by id are cached forever: an id never changes its schema,
 * and a process uses a handful of schemas. Schemas fetched by id may use schema references
 * (Apicurio's serializers register nested named types that way); they are resolved through {@code
 * GET /subjects/{subject}/versions/{version}}. We register schemas inline, as Confluent's
 * serializer does. Thread-safe. The {@code Authorization} header is built once and never logged;
 * URLs in messages carry no user info.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  /** The compatibility levels of the Confluent API. */
  public static final List<String> COMPATIBILITY_LEVELS =
      List.of(
          "NONE",
          "BACKWARD",
          "BACKWARD_TRANSITIVE",
          "FORWARD",
          "FORWARD_TRANSITIVE",
          "FULL",
          "FULL_TRANSITIVE");

  private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
  private static final ContentType REGISTRY_JSON =
      ContentType.create(CONTENT_TYPE, StandardCharsets.UTF_8);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REFERENCE_DEPTH = 16;

  private final List<String> baseUrls;
  private final Optional<String> authorization;
  private final CloseableHttpClient http;
  private final ConcurrentMap<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
  private final ConcurrentMap<Integer, Schema> schemas = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  /** What a call answered: the HTTP status and the parsed JSON body (null when not JSON). */
  private record Answer(String url, int status, JsonNode body, String rawBody) {}

  public HttpSchemaRegistryClient(SchemaRegistryClientConfig config) {
    this.baseUrls = config.urls().stream().map(HttpSchemaRegistryClient::trimSlash).toList();
    this.authorization =
        config
            .basicUserInfo()
            .map(
                info ->
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(info.reveal().getBytes(StandardCharsets.UTF_8)))
            .or(() -> config.bearerToken().map(token -> "Bearer " + token.reveal()));
    PoolingHttpClientConnectionManagerBuilder connections =
        PoolingHttpClientConnectionManagerBuilder.create()
            .useSystemProperties()
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.of(config.connectTimeout()))
                    .setSocketTimeout(Timeout.of(config.responseTimeout()))
                    .build());
    config
        .truststore()
        .ifPresent(
            pem ->
                connections.setTlsSocketStrategy(
                    new DefaultClientTlsStrategy(PemTrustStore.sslContext(pem))));
    this.http =
        HttpClients.custom()
            .setConnectionManager(connections.build())
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setConnectionRequestTimeout(Timeout.of(config.connectTimeout()))
                    .setResponseTimeout(Timeout.of(config.responseTimeout()))
                    .build())
            .disableAutomaticRetries()
            .disableCookieManagement()
            .useSystemProperties()
            .build();
  }

  public static HttpSchemaRegistryClient from(KafkaConnection connection) {
    return new HttpSchemaRegistryClient(SchemaRegistryClientConfig.from(connection));
  }

  @Override
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = ids.get(key);
    if (cached != null) {
      return cached;
    }
    String action = "register a schema under subject '" + subject + "'";
    Answer answer =
        call(action, "POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
    int id;
    try {
      id = idIn(RegistryErrors.Call.REGISTER, action, answer);
    } catch (SchemaRegistryException rejected) {
      return registeredMeanwhile(subject, schema, rejected);
    }
    remember(key, id, schema);
    log.info("Schema {} is id {} under subject {}", schema.getFullName(), id, subject);
    return id;
  }

  /**
   * Two clients registering the same new schema under a new subject at once (two stream threads,
   * two pods): Apicurio may answer the second with 409 although the schema is now there. If a
   * lookup finds it, that is its id; any other rejection stands.
   */
  private int registeredMeanwhile(String subject, Schema schema, SchemaRegistryException rejected) {
    if (rejected.reason() != SchemaRegistryException.Reason.INCOMPATIBLE_SCHEMA) {
      throw rejected;
    }
    try {
      int id = lookup(subject, schema);
      log.info(
          "Schema {} was registered meanwhile under subject {} as id {}",
          schema.getFullName(),
          subject,
          id);
      return id;
    } catch (SchemaRegistryException notThere) {
      throw rejected;
    }
  }

  @Override
  public int lookup(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = ids.get(key);
    if (cached != null) {
      return cached;
    }
    String action = "look up a schema under subject '" + subject + "'";
    Answer answer = call(action, "POST", "/subjects/" + encode(subject), schemaBody(schema));
    int id = idIn(RegistryErrors.Call.LOOKUP, action, answer);
    remember(key, id, schema);
    return id;
  }

  /** The {@code id} of a successful register or lookup answer. */
  private int idIn(RegistryErrors.Call call, String action, Answer answer) {
    int id = expectOk(call, action, answer).path("id").asInt(-1);
    if (id < 0) {
      throw SchemaRegistryException.malformed(
          action,
          answer.url(),
          answer.status(),
          "no \"id\" in " + abbreviate(answer.rawBody()),
          null);
    }
    return id;
  }

  private void remember(SubjectSchema key, int id, Schema schema) {
    ids.putIfAbsent(key, id);
    schemas.putIfAbsent(id, schema);
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemas.get(id);
    if (cached != null) {
      return cached;
    }
    String action = "fetch schema id " + id;
    Answer answer = call(action, "GET", "/schemas/ids/" + id, null);
    JsonNode body = expectOk(RegistryErrors.Call.SCHEMA_BY_ID, action, answer);
    Schema.Parser parser = new Schema.Parser();
    parseReferences(action, body.path("references"), parser, new HashSet<>(), 0);
    Schema schema = parseAvro(action, answer, body, parser);
    Schema previous = schemas.putIfAbsent(id, schema);
    return previous == null ? schema : previous;
  }

  @Override
  public Optional<String> compatibility(String subject) {
    String action = "read the compatibility level of subject '" + subject + "'";
    Answer answer = call(action, "GET", "/config/" + encode(subject), null);
    if (answer.status() == 404) {
      return Optional.empty();
    }
    JsonNode body = expectOk(RegistryErrors.Call.COMPATIBILITY, action, answer);
    JsonNode level =
        body.has("compatibilityLevel") ? body.get("compatibilityLevel") : body.get("compatibility");
    return Optional.ofNullable(level).map(JsonNode::asText).filter(s -> !s.isBlank());
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException for a level outside {@link #COMPATIBILITY_LEVELS}, before any
   *     call: registries answer an unknown level inconsistently (Confluent 422, Apicurio 500)
   */
  @Override
  public void setCompatibility(String subject, String level) {
    if (!COMPATIBILITY_LEVELS.contains(level)) {
      throw new IllegalArgumentException(
          "unknown compatibility level '" + level + "'; one of " + COMPATIBILITY_LEVELS);
    }
    String action = "set compatibility " + level + " on subject '" + subject + "'";
    Answer answer =
        call(action, "PUT", "/config/" + encode(subject), json(Map.of("compatibility", level)));
    expectOk(RegistryErrors.Call.COMPATIBILITY, action, answer);
    log.debug("Subject {} compatibility set to {}", subject, level);
  }

  /**
   * Parses the schemas a schema refers to by name (Confluent schema references, which Apicurio's
   * serializers create for nested named types) into {@code parser}, depth first, so the referring
   * schema parses. Each reference is {@code GET /subjects/{subject}/versions/{version}}.
   */
  private void parseReferences(
      String action, JsonNode references, Schema.Parser parser, Set<String> parsed, int depth) {
    if (!references.isArray() || references.isEmpty()) {
      return;
    }
    if (depth > MAX_REFERENCE_DEPTH) {
      throw SchemaRegistryException.malformed(
          action,
          baseUrls.get(0),
          200,
          "schema references nested deeper than " + MAX_REFERENCE_DEPTH,
          null);
    }
    for (JsonNode reference : references) {
      String subject = reference.path("subject").asText("");
      String version = reference.path("version").asText("");
      if (subject.isEmpty() || version.isEmpty() || !parsed.add(subject + "/" + version)) {
        continue;
      }
      String referenceAction = action + " (its reference " + subject + " version " + version + ")";
      Answer answer =
          call(
              referenceAction,
              "GET",
              "/subjects/" + encode(subject) + "/versions/" + encode(version),
              null);
      JsonNode body = expectOk(RegistryErrors.Call.REFERENCE, referenceAction, answer);
      parseReferences(action, body.path("references"), parser, parsed, depth + 1);
      parseAvro(referenceAction, answer, body, parser);
    }
  }

  private static Schema parseAvro(
      String action, Answer answer, JsonNode body, Schema.Parser parser) {
    String type = body.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type)) {
      throw SchemaRegistryException.malformed(
          action, answer.url(), answer.status(), "the schema is " + type + ", not AVRO", null);
    }
    String text = body.path("schema").asText(null);
    if (text == null) {
      throw SchemaRegistryException.malformed(
          action,
          answer.url(),
          answer.status(),
          "no \"schema\" in " + abbreviate(answer.rawBody()),
          null);
    }
    try {
      return parser.parse(text);
    } catch (AvroRuntimeException e) {
      throw SchemaRegistryException.malformed(
          action, answer.url(), answer.status(), "not a usable Avro schema: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    http.close(CloseMode.GRACEFUL);
  }

  private static String schemaBody(Schema schema) {
    // "schemaType" is omitted: AVRO is the default, and older registries reject the field.
    return json(Map.of("schema", schema.toString()));
  }

  /** Tries each base URL in order while they are unreachable; any HTTP answer ends the loop. */
  private Answer call(String action, String method, String path, String body) {
    List<SchemaRegistryException> unreachable = new ArrayList<>();
    for (String base : baseUrls) {
      String url = base + path;
      HttpUriRequestBase request = new HttpUriRequestBase(method, URI.create(url));
      request.setHeader(HttpHeaders.ACCEPT, CONTENT_TYPE + ", application/json;q=0.9");
      authorization.ifPresent(value -> request.setHeader(HttpHeaders.AUTHORIZATION, value));
      if (body != null) {
        request.setEntity(new StringEntity(body, REGISTRY_JSON));
      }
      try {
        return http.execute(
            request,
            response -> {
              String raw =
                  response.getEntity() == null
                      ? ""
                      : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
              return new Answer(url, response.getCode(), parse(raw), raw);
            });
      } catch (IOException e) {
        unreachable.add(SchemaRegistryException.unreachable(action, url, e));
      }
    }
    SchemaRegistryException last = unreachable.get(unreachable.size() - 1);
    unreachable.subList(0, unreachable.size() - 1).forEach(last::addSuppressed);
    throw last;
  }

  /** The body of a 2xx answer, or the exception its error status stands for. */
  private static JsonNode expectOk(RegistryErrors.Call call, String action, Answer answer) {
    if (answer.status() >= 200 && answer.status() < 300) {
      if (answer.body() == null || !answer.body().isObject()) {
        throw SchemaRegistryException.malformed(
            action,
            answer.url(),
            answer.status(),
            "not a JSON object: " + abbreviate(answer.rawBody()),
            null);
      }
      return answer.body();
    }
    int errorCode = answer.body() == null ? -1 : answer.body().path("error_code").asInt(-1);
    String message =
        answer.body() == null
            ? abbreviate(answer.rawBody())
            : answer.body().path("message").asText(abbreviate(answer.rawBody()));
    Reason reason = RegistryErrors.classify(call, answer.status(), errorCode);
    throw SchemaRegistryException.answered(
        reason, action, answer.url(), answer.status(), errorCode, message);
  }

  private static JsonNode parse(String raw) {
    if (raw.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(raw);
    } catch (IOException e) {
      return null;
    }
  }

  private static String json(Map<String, String> fields) {
    try {
      return JSON.writeValueAsString(fields);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a JSON object of strings", e);
    }
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String trimSlash(URI url) {
    String text = Objects.requireNonNull(url).toString();
    return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
  }

  private static String abbreviate(String text) {
    String oneLine = text.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
  }
}
