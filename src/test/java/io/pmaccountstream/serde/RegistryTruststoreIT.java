package io.pmaccountstream.serde;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.testing.TestTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry on https with a certificate from a private CA: trusted through {@code
 * schema.registry.ssl.truststore.location} (PEM), by our client built from the pipeline's settings
 * and by one configured from Confluent-style serde properties; refused without it.
 */
class RegistryTruststoreIT {

  @TempDir static Path dir;

  private static WireMockServer registry;
  private static Path caFile;

  @BeforeAll
  static void start() throws Exception {
    TestTls tls = TestTls.generate(dir.resolve("tls"));
    caFile = Files.writeString(dir.resolve("registry-ca.crt"), tls.caPem());
    registry = new WireMockServer(tls.httpsOnlyWireMock());
    registry.start();
    registry.stubFor(
        get(urlEqualTo("/schemas/ids/7")).willReturn(okJson("{\"schema\":\"\\\"string\\\"\"}")));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.stop();
    }
  }

  @Test
  void thePipelinesClientTrustsTheConfiguredCa() {
    KafkaConnection connection =
        connection(Map.of("schema.registry.ssl.truststore.location", caFile.toString()));

    try (HttpSchemaRegistryClient client = HttpSchemaRegistryClient.from(connection)) {
      assertThat(client.schemaById(7)).isEqualTo(Schema.create(Schema.Type.STRING));
    }
  }

  @Test
  void aSerdeConfiguredFromTheSerdePropertiesTrustsItToo() {
    KafkaConnection connection =
        connection(Map.of("schema.registry.ssl.truststore.location", caFile.toString()));
    Map<String, Object> serde = connection.serdeProperties();
    assertThat(serde)
        .containsEntry("schema.registry.ssl.truststore.location", caFile.toString())
        .containsEntry("schema.registry.ssl.truststore.type", "PEM");

    try (HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(SchemaRegistryClientConfig.fromSerdeConfigs(serde))) {
      assertThat(client.schemaById(7)).isEqualTo(Schema.create(Schema.Type.STRING));
    }
  }

  @Test
  void withoutTheTruststoreThePrivateCaIsRefused() {
    try (HttpSchemaRegistryClient client = HttpSchemaRegistryClient.from(connection(Map.of()))) {
      assertThatThrownBy(() -> client.schemaById(7)).isInstanceOf(SchemaRegistryException.class);
    }
  }

  @Test
  void aTruststoreThatIsNoPemIsAStartUpProblem() throws Exception {
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
    Map<String, String> flags =
        flags(Map.of("schema.registry.ssl.truststore.location", notPem.toString()));
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));

    assertThatThrownBy(() -> KafkaConnection.from(reader)).isInstanceOf(ConfigException.class);

    assertThat(reader.problems())
        .singleElement()
        .asString()
        .contains("schema.registry.ssl.truststore.location", notPem.toString());
  }

  private static KafkaConnection connection(Map<String, String> extra) {
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags(extra)));
    KafkaConnection connection = KafkaConnection.from(reader);
    reader.throwIfProblems();
    return connection;
  }

  private static Map<String, String> flags(Map<String, String> extra) {
    Map<String, String> flags = new HashMap<>(extra);
    flags.put("bootstrap.servers", "127.0.0.1:9092");
    flags.put("schema.registry.url", "https://127.0.0.1:" + registry.httpsPort());
    return flags;
  }
}
