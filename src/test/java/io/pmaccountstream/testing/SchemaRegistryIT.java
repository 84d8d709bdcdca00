package io.pmaccountstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The registry the ITs use speaks the Confluent API: register, look up by id, compatibility. */
class SchemaRegistryIT {

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void registeredAvroSchemaIsReadBackById() throws Exception {
    String subject = KafkaBrokerExtension.uniqueTopic("registry-it") + "-value";
    Schema schema =
        SchemaBuilder.record("Probe")
            .namespace("io.pmaccountstream.it")
            .fields()
            .requiredString("accountId")
            .requiredLong("updateTime")
            .endRecord();

    HttpResponse<String> registered = register(subject, schema);
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
    int id = JSON.readTree(registered.body()).path("id").asInt(-1);

    JsonNode byId = getJson("/schemas/ids/" + id);
    assertThat(new Schema.Parser().parse(byId.path("schema").asText())).isEqualTo(schema);
    assertThat(JSON.readTree(register(subject, schema).body()).path("id").asInt())
        .as("registering the same schema again returns the same id")
        .isEqualTo(id);
  }

  @Test
  void subjectCompatibilityIsSetToBackwardTransitiveAndEnforced() throws Exception {
    String subject = KafkaBrokerExtension.uniqueTopic("registry-it") + "-value";
    Schema v1 = SchemaBuilder.record("Level").fields().requiredInt("a").endRecord();
    assertThat(register(subject, v1).statusCode()).isEqualTo(200);

    HttpResponse<String> put =
        send(
            HttpRequest.newBuilder(uri("/config/" + subject))
                .header("Content-Type", CONTENT_TYPE)
                .PUT(body(Map.of("compatibility", "BACKWARD_TRANSITIVE"))));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(getJson("/config/" + subject).path("compatibilityLevel").asText())
        .isEqualTo("BACKWARD_TRANSITIVE");

    Schema requiredFieldAdded =
        SchemaBuilder.record("Level").fields().requiredInt("a").requiredInt("b").endRecord();
    Schema optionalFieldAdded =
        SchemaBuilder.record("Level")
            .fields()
            .requiredInt("a")
            .name("b")
            .type()
            .intType()
            .intDefault(0)
            .endRecord();
    // Confluent answers 409 to an incompatible schema; so does Apicurio's ccompat API.
    assertThat(register(subject, requiredFieldAdded).statusCode()).isEqualTo(409);
    assertThat(register(subject, optionalFieldAdded).statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> register(String subject, Schema schema)
      throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(uri("/subjects/" + subject + "/versions"))
            .header("Content-Type", CONTENT_TYPE)
            .POST(body(Map.of("schema", schema.toString()))));
  }

  private JsonNode getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).GET());
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(
        request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.BodyPublisher body(Map<String, String> fields) throws IOException {
    return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(fields));
  }

  private static URI uri(String path) {
    return URI.create(registry.url() + path);
  }
}
