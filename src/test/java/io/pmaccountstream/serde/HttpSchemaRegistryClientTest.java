package io.pmaccountstream.serde;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.serde.SchemaRegistryException.Reason;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpSchemaRegistryClientTest {

  private static final Schema SCHEMA = AccountSnapshot.getClassSchema();
  private static final String SUBJECT = "pm.account.snapshots-value";
  private static final String VERSIONS = "/subjects/" + SUBJECT + "/versions";
  private static final String PASSWORD = "s3cr3t-Pa55";

  private final WireMockServer wireMock =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private HttpSchemaRegistryClient client;

  @BeforeEach
  void start() {
    wireMock.start();
    client = clientFor(config(Optional.empty(), Optional.empty(), Duration.ofSeconds(5)));
  }

  @AfterEach
  void stop() {
    client.close();
    wireMock.stop();
  }

  @Test
  void registersBySendingTheSchemaAsJsonWithTheRegistryMediaType() throws IOException {
    wireMock.stubFor(post(urlEqualTo(VERSIONS)).willReturn(okJson("{\"id\":42}")));

    assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(42);

    wireMock.verify(
        postRequestedFor(urlEqualTo(VERSIONS))
            .withHeader("Accept", matching("application/vnd.schemaregistry.v1\\+json.*"))
            .withHeader("Content-Type", matching("application/vnd.schemaregistry.v1\\+json.*"))
            .withHeader("Authorization", absent())
            .withRequestBody(matchingJsonPath("$.schemaType", absent())));
    String sent = wireMock.getAllServeEvents().get(0).getRequest().getBodyAsString();
    String schemaText = new ObjectMapper().readTree(sent).get("schema").asText();
    assertThat(new Schema.Parser().parse(schemaText)).isEqualTo(SCHEMA);
  }

  @Test
  void registersOnceAndKnowsTheSchemaOfTheIdItGot() {
    wireMock.stubFor(post(urlEqualTo(VERSIONS)).willReturn(okJson("{\"id\":42}")));

    client.register(SUBJECT, SCHEMA);
    client.register(SUBJECT, SCHEMA);
    Schema byId = client.schemaById(42);

    assertThat(byId).isEqualTo(SCHEMA);
    assertThat(wireMock.getAllServeEvents()).hasSize(1);
  }

  @Test
  void fetchesASchemaByIdOnce() {
    wireMock.stubFor(
        get(urlEqualTo("/schemas/ids/7"))
            .willReturn(okJson(jsonOf(Map.of("schema", SCHEMA.toString())))));

    assertThat(client.schemaById(7)).isEqualTo(SCHEMA);
    assertThat(client.schemaById(7)).isEqualTo(SCHEMA);

    wireMock.verify(1, getRequestedFor(urlEqualTo("/schemas/ids/7")));
  }

  @Test
  void resolvesSchemaReferencesAsApicurioSerializersRegisterThem() throws IOException {
    Schema status = SCHEMA.getField("accountStatus").schema();
    String referring = referringToStatusByName();
    String reference =
        "[{\"name\":\"" + status.getFullName() + "\",\"subject\":\"status\",\"version\":1}]";
    wireMock.stubFor(
        get(urlEqualTo("/schemas/ids/6"))
            .willReturn(
                okJson(
                    "{\"schema\":"
                        + new ObjectMapper().writeValueAsString(referring)
                        + ",\"references\":"
                        + reference
                        + "}")));
    wireMock.stubFor(
        get(urlEqualTo("/subjects/status/versions/1"))
            .willReturn(
                okJson(
                    "{\"id\":5,\"subject\":\"status\",\"version\":1,\"schema\":"
                        + new ObjectMapper().writeValueAsString(status.toString())
                        + ",\"references\":[]}")));

    assertThat(client.schemaById(6)).isEqualTo(SCHEMA);
  }

  @Test
  void aSchemaWithAnUnresolvedNameIsARegistryErrorNotACrash() throws IOException {
    Schema status = SCHEMA.getField("accountStatus").schema();
    String referring = referringToStatusByName();
    wireMock.stubFor(
        get(urlEqualTo("/schemas/ids/6"))
            .willReturn(
                okJson("{\"schema\":" + new ObjectMapper().writeValueAsString(referring) + "}")));

    assertThatThrownBy(() -> client.schemaById(6))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.REGISTRY_ERROR))
        .hasMessageContaining("not a usable Avro schema")
        .hasMessageContaining(status.getFullName());
  }

  @Test
  void refusesANonAvroSchemaById() {
    wireMock.stubFor(
        get(urlEqualTo("/schemas/ids/8"))
            .willReturn(okJson("{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = 'proto3';\"}")));

    assertThatThrownBy(() -> client.schemaById(8))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("PROTOBUF, not AVRO");
  }

  @Test
  void looksUpWithoutRegistering() {
    wireMock.stubFor(
        post(urlEqualTo("/subjects/" + SUBJECT))
            .willReturn(okJson("{\"subject\":\"" + SUBJECT + "\",\"version\":3,\"id\":9}")));

    assertThat(client.lookup(SUBJECT, SCHEMA)).isEqualTo(9);
  }

  @Test
  void sendsBasicAuthFromUserInfo() {
    client.close();
    client =
        clientFor(
            config(
                Optional.of(Secret.of("alice:" + PASSWORD)),
                Optional.empty(),
                Duration.ofSeconds(5)));
    wireMock.stubFor(post(urlEqualTo(VERSIONS)).willReturn(okJson("{\"id\":1}")));

    client.register(SUBJECT, SCHEMA);

    wireMock.verify(
        postRequestedFor(urlEqualTo(VERSIONS))
            .withHeader("Authorization", equalTo("Basic YWxpY2U6czNjcjN0LVBhNTU=")));
  }

  @Test
  void sendsABearerToken() {
    client.close();
    client =
        clientFor(
            config(Optional.empty(), Optional.of(Secret.of("tok.en")), Duration.ofSeconds(5)));
    wireMock.stubFor(post(urlEqualTo(VERSIONS)).willReturn(okJson("{\"id\":1}")));

    client.register(SUBJECT, SCHEMA);

    wireMock.verify(
        postRequestedFor(urlEqualTo(VERSIONS))
            .withHeader("Authorization", equalTo("Bearer tok.en")));
  }

  @Test
  void takesBasicAuthFromTheUrlAndKeepsItOutOfMessages() {
    client.close();
    String url = "http://bob:" + PASSWORD + "@127.0.0.1:" + wireMock.port();
    client =
        new HttpSchemaRegistryClient(
            SchemaRegistryClientConfig.fromSerdeConfigs(Map.of("schema.registry.url", url)));
    wireMock.stubFor(
        post(urlEqualTo(VERSIONS))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withBody("{\"error_code\":40101,\"message\":\"Unauthorized\"}")));

    assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED);
              assertThat(e.getMessage()).doesNotContain(PASSWORD).doesNotContain("bob:");
              assertThat(e.url()).isEqualTo("http://127.0.0.1:" + wireMock.port() + VERSIONS);
            });
    wireMock.verify(
        postRequestedFor(urlEqualTo(VERSIONS))
            .withHeader("Authorization", equalTo("Basic Ym9iOnMzY3IzdC1QYTU1")));
  }

  @Test
  void acceptsASchemaThatAConcurrentClientRegisteredWhenTheRegistryAnswers409() {
    wireMock.stubFor(
        post(urlEqualTo(VERSIONS))
            .willReturn(
                aResponse()
                    .withStatus(409)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"error_code\":0,\"message\":\"incompatible\"}")));
    wireMock.stubFor(
        post(urlEqualTo(VERSIONS.substring(0, VERSIONS.lastIndexOf("/versions"))))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"subject\":\"s\",\"version\":1,\"id\":7,\"schema\":\"{}\"}")));

    assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(7);
  }

  @ParameterizedTest(name = "HTTP {0} error_code {1} -> {2}")
  @CsvSource({
    "409, 409, INCOMPATIBLE_SCHEMA", // Confluent
    "409, 0, INCOMPATIBLE_SCHEMA", // Apicurio ccompat
    "422, 42201, INVALID_SCHEMA",
    "401, 40101, UNAUTHORIZED",
    "403, 40301, UNAUTHORIZED",
    "404, 40401, NOT_FOUND",
    "500, 50001, REGISTRY_ERROR",
  })
  void mapsRegistryErrorsOnRegistration(int status, int errorCode, Reason reason) {
    wireMock.stubFor(
        post(urlEqualTo(VERSIONS))
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"error_code\":"
                            + errorCode
                            + ",\"message\":\"the registry says no\"}")));

    assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.httpStatus()).hasValue(status);
              assertThat(e.errorCode()).hasValue(errorCode);
              assertThat(e.isRetriable()).isEqualTo(status >= 500);
              assertThat(e.getMessage())
                  .contains("HTTP " + status)
                  .contains("error_code " + errorCode)
                  .contains("the registry says no")
                  .contains("subject '" + SUBJECT + "'");
            });
  }

  @Test
  void unknownIdIsItsOwnReason() {
    wireMock.stubFor(
        get(urlEqualTo("/schemas/ids/404"))
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withBody("{\"error_code\":40403,\"message\":\"Schema 404 not found\"}")));

    assertThatThrownBy(() -> client.schemaById(404))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID))
        .hasMessageContaining("Unknown schema id")
        .hasMessageContaining("error_code 40403");
  }

  @Test
  void anErrorBodyThatIsNotJsonIsQuotedInTheMessage() {
    wireMock.stubFor(
        post(urlEqualTo(VERSIONS))
            .willReturn(aResponse().withStatus(502).withBody("<html>Bad Gateway</html>")));

    assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.REGISTRY_ERROR);
              assertThat(e.errorCode()).isEmpty();
              assertThat(e.isRetriable()).isTrue();
            })
        .hasMessageContaining("<html>Bad Gateway</html>");
  }

  @Test
  void aSuccessWithoutAnIdIsAnError() {
    wireMock.stubFor(post(urlEqualTo(VERSIONS)).willReturn(okJson("{\"version\":1}")));

    assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("no \"id\"");
  }

  @Test
  void unreachableRegistryNamesTheUrl() throws IOException {
    int closedPort = freePort();
    client.close();
    client =
        clientFor(
            new SchemaRegistryClientConfig(
                List.of(URI.create("http://127.0.0.1:" + closedPort)),
                Optional.of(Secret.of("alice:" + PASSWORD)),
                Optional.empty(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2)));

    assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
              assertThat(e.isRetriable()).isTrue();
              assertThat(e.httpStatus()).isEmpty();
              assertThat(e.getMessage())
                  .contains("http://127.0.0.1:" + closedPort + VERSIONS)
                  .doesNotContain(PASSWORD);
            });
  }

  @Test
  void aSlowRegistryTimesOutWithinTheResponseTimeout() {
    client.close();
    client = clientFor(config(Optional.empty(), Optional.empty(), Duration.ofMillis(300)));
    wireMock.stubFor(
        post(urlEqualTo(VERSIONS)).willReturn(okJson("{\"id\":1}").withFixedDelay(5_000)));

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void aResetConnectionIsUnreachable() {
    wireMock.stubFor(
        post(urlEqualTo(VERSIONS))
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE));
  }

  @Test
  void failsOverToTheNextUrlWhenOneIsUnreachable() throws IOException {
    client.close();
    client =
        clientFor(
            new SchemaRegistryClientConfig(
                List.of(
                    URI.create("http://127.0.0.1:" + freePort()),
                    URI.create("http://127.0.0.1:" + wireMock.port() + "/")),
                Optional.empty(),
                Optional.empty(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2)));
    wireMock.stubFor(post(urlEqualTo(VERSIONS)).willReturn(okJson("{\"id\":5}")));

    assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(5);
  }

  @Test
  void keepsTheBasePathOfTheUrl() {
    client.close();
    client =
        clientFor(
            new SchemaRegistryClientConfig(
                List.of(URI.create("http://127.0.0.1:" + wireMock.port() + "/apis/ccompat/v7")),
                Optional.empty(),
                Optional.empty(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2)));
    wireMock.stubFor(
        post(urlEqualTo("/apis/ccompat/v7" + VERSIONS)).willReturn(okJson("{\"id\":3}")));

    assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(3);
  }

  @Test
  void readsAndSetsSubjectCompatibility() {
    wireMock.stubFor(
        get(urlEqualTo("/config/" + SUBJECT))
            .willReturn(okJson("{\"compatibilityLevel\":\"BACKWARD\"}")));
    wireMock.stubFor(
        put(urlEqualTo("/config/" + SUBJECT))
            .willReturn(okJson("{\"compatibility\":\"BACKWARD_TRANSITIVE\"}")));

    assertThat(client.compatibility(SUBJECT)).hasValue("BACKWARD");
    client.setCompatibility(SUBJECT, "BACKWARD_TRANSITIVE");

    wireMock.verify(
        putRequestedFor(urlEqualTo("/config/" + SUBJECT))
            .withRequestBody(equalToJson("{\"compatibility\":\"BACKWARD_TRANSITIVE\"}")));
  }

  @Test
  void aSubjectWithoutItsOwnLevelHasNone() {
    wireMock.stubFor(
        get(urlEqualTo("/config/" + SUBJECT))
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withBody(
                        "{\"error_code\":40408,\"message\":\"Subject does not have"
                            + " subject-level compatibility configured\"}")));

    assertThat(client.compatibility(SUBJECT)).isEmpty();
  }

  @Test
  void aCompatibilityLevelTheRegistryRefusesIsRejectedClearly() {
    wireMock.stubFor(
        put(urlEqualTo("/config/" + SUBJECT))
            .willReturn(
                aResponse()
                    .withStatus(422)
                    .withBody(
                        "{\"error_code\":42203,\"message\":\"Invalid compatibility level\"}")));

    assertThatThrownBy(() -> client.setCompatibility(SUBJECT, "FULL"))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_COMPATIBILITY_LEVEL))
        .hasMessageContaining("FULL");
  }

  @Test
  void anUnknownCompatibilityLevelIsRefusedBeforeAnyCall() {
    assertThatThrownBy(() -> client.setCompatibility(SUBJECT, "SIDEWAYS"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SIDEWAYS");
    assertThat(wireMock.getAllServeEvents()).isEmpty();
  }

  @Test
  void configNeverPrintsCredentials() {
    SchemaRegistryClientConfig config =
        SchemaRegistryClientConfig.fromSerdeConfigs(
            Map.of(
                "schema.registry.url", "http://127.0.0.1:1",
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "alice:" + PASSWORD));

    assertThat(config.basicUserInfo()).map(Secret::reveal).hasValue("alice:" + PASSWORD);
    assertThat(config.toString()).doesNotContain(PASSWORD);
  }

  /** AccountSnapshot with its AccountStatus enum replaced by a reference to its name. */
  private static String referringToStatusByName() throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(SCHEMA.toString());
    for (JsonNode field : root.get("fields")) {
      if (field.get("name").asText().equals("accountStatus")) {
        ((ObjectNode) field).put("type", SCHEMA.getField("accountStatus").schema().getFullName());
      }
    }
    return json.writeValueAsString(root);
  }

  private HttpSchemaRegistryClient clientFor(SchemaRegistryClientConfig config) {
    return new HttpSchemaRegistryClient(config);
  }

  private SchemaRegistryClientConfig config(
      Optional<Secret> basic, Optional<Secret> bearer, Duration timeout) {
    return new SchemaRegistryClientConfig(
        List.of(URI.create("http://127.0.0.1:" + wireMock.port())),
        basic,
        bearer,
        timeout,
        timeout);
  }

  private static com.github.tomakehurst.wiremock.matching.StringValuePattern matching(
      String regex) {
    return com.github.tomakehurst.wiremock.client.WireMock.matching(regex);
  }

  private static String jsonOf(Map<String, String> fields) {
    try {
      return new ObjectMapper().writeValueAsString(fields);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
