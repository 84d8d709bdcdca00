package io.pmaccountstream.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pmaccountstream.publish.SchemaRegistryException.Reason;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
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
 * automatic retries: a caller that retries (the Kafka producer does) sees every failure as a {@link
 * SchemaRegistryException} within one timeout per URL.
 *
 * <p>Ids by (subject, schema) and schemas by id are cached forever: an id never changes its schema,
 * and a process uses a handful of schemas. Thread-safe. The {@code Authorization} header is built
 * once and never logged; URLs in messages carry no user info.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
  private static final ContentType REGISTRY_JSON =
      ContentType.create(CONTENT_TYPE, StandardCharsets.UTF_8);
  private static final ObjectMapper JSON = new ObjectMapper();

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
    this.http =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .useSystemProperties()
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.of(config.connectTimeout()))
                            .setSocketTimeout(Timeout.of(config.responseTimeout()))
                            .build())
                    .build())
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
    int id = expectOk(RegistryErrors.Call.REGISTER, action, answer).path("id").asInt(-1);
    if (id < 0) {
      throw SchemaRegistryException.malformed(
          action,
          answer.url(),
          answer.status(),
          "no \"id\" in " + abbreviate(answer.rawBody()),
          null);
    }
    ids.putIfAbsent(key, id);
    schemas.putIfAbsent(id, schema);
    log.info("Schema {} is id {} under subject {}", schema.getFullName(), id, subject);
    return id;
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
    int id = expectOk(RegistryErrors.Call.LOOKUP, action, answer).path("id").asInt(-1);
    if (id < 0) {
      throw SchemaRegistryException.malformed(
          action,
          answer.url(),
          answer.status(),
          "no \"id\" in " + abbreviate(answer.rawBody()),
          null);
    }
    ids.putIfAbsent(key, id);
    schemas.putIfAbsent(id, schema);
    return id;
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
    String type = body.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type)) {
      throw SchemaRegistryException.malformed(
          action,
          answer.url(),
          answer.status(),
          "schema id " + id + " is " + type + ", not AVRO",
          null);
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
    Schema schema;
    try {
      schema = new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw SchemaRegistryException.malformed(
          action, answer.url(), answer.status(), "not an Avro schema: " + e.getMessage(), e);
    }
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

  @Override
  public void setCompatibility(String subject, String level) {
    String action = "set compatibility " + level + " on subject '" + subject + "'";
    Answer answer =
        call(action, "PUT", "/config/" + encode(subject), json(Map.of("compatibility", level)));
    expectOk(RegistryErrors.Call.COMPATIBILITY, action, answer);
    log.debug("Subject {} compatibility set to {}", subject, level);
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
