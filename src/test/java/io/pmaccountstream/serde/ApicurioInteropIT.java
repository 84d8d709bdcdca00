package io.pmaccountstream.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.testing.Samples;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Our serde against an independent implementation of the Confluent wire format: Apicurio's Kafka
 * serde 3.1.7, which talks the registry's native API. Apicurio Registry 2.4.2 serves the native
 * {@code /apis/registry/v2} only (v3 came with 3.0); the 3.x serde switches to its v2 client when
 * the URL ends with {@code /apis/registry/v2}. The ids of the ccompat API are Apicurio content ids,
 * so both sides use {@code apicurio.registry.use-id=contentId} and 4-byte ids (the 3.x default).
 * Apicurio's serializer registers nested named types (the AccountStatus enum) as separate subjects
 * and refers to them (Confluent schema references); our client resolves those references.
 */
class ApicurioInteropIT {

  private static final String CCOMPAT_PATH = "/apis/ccompat/v7";

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private HttpSchemaRegistryClient client;
  private String topic;

  @BeforeEach
  void apicurioRegistry() {
    Assumptions.assumeTrue(
        registry.url().endsWith(CCOMPAT_PATH),
        () ->
            "Apicurio's serde needs Apicurio's native API; "
                + registry.url()
                + " is not an Apicurio ccompat URL");
    client =
        new HttpSchemaRegistryClient(SchemaRegistryClientConfig.of(URI.create(registry.url())));
    topic = "interop-" + UUID.randomUUID();
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void apicurioReadsWhatWeWrite() throws Exception {
    byte[] ours =
        new ConfluentAvroSerializer<AccountSnapshot>(client).serialize(topic, Samples.snapshot());
    assertThat(ByteBuffer.wrap(ours, 1, 4).getInt())
        .as("the id we wrote is the subject's id in the ccompat API")
        .isEqualTo(ccompatLatestId(topic + "-value"));

    try (AvroKafkaDeserializer<SpecificRecord> apicurio = new AvroKafkaDeserializer<>()) {
      apicurio.configure(apicurioConfig(), false);
      Object read = apicurio.deserialize(topic, ours);

      assertThat(read).isInstanceOf(AccountSnapshot.class);
      Samples.assertSameFields((AccountSnapshot) read, Samples.snapshot());
    }
  }

  @Test
  void weReadWhatApicurioWritesAndTheIdsAgreeWithTheCcompatApi() throws Exception {
    byte[] theirs;
    try (AvroKafkaSerializer<AccountSnapshot> apicurio = new AvroKafkaSerializer<>()) {
      Map<String, Object> config = apicurioConfig();
      config.put("apicurio.registry.auto-register", "true");
      apicurio.configure(config, false);
      theirs = apicurio.serialize(topic, Samples.snapshot());
    }

    assertThat(theirs[0]).as("Confluent magic byte").isEqualTo(ConfluentWireFormat.MAGIC_BYTE);
    int id = ByteBuffer.wrap(theirs, 1, 4).getInt();
    AccountSnapshot read =
        new ConfluentAvroDeserializer<>(client, AccountSnapshot.class).deserialize(topic, theirs);
    Samples.assertSameFields(read, Samples.snapshot());
    assertThat(client.schemaById(id))
        .as("ccompat resolves the id (with Apicurio's reference to AccountStatus) to our schema")
        .isEqualTo(AccountSnapshot.getClassSchema());
    assertThat(ccompatLatestId(topic + "-value"))
        .as("the subject Apicurio's serializer registered, seen through ccompat")
        .isEqualTo(id);
  }

  /** {@code GET /subjects/{subject}/versions/latest} of the ccompat API: the id it reports. */
  private static int ccompatLatestId(String subject) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(registry.url() + "/subjects/" + subject + "/versions/latest"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new ObjectMapper().readTree(response.body()).get("id").asInt();
  }

  private static Map<String, Object> apicurioConfig() {
    String base = registry.url().substring(0, registry.url().length() - CCOMPAT_PATH.length());
    Map<String, Object> config = new HashMap<>();
    config.put("apicurio.registry.url", base + "/apis/registry/v2");
    config.put("apicurio.registry.use-id", "contentId");
    config.put("apicurio.registry.headers.enabled", "false");
    config.put("apicurio.registry.use-specific-avro-reader", "true");
    return config;
  }
}
