package io.pmaccountstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.KafkaConnection;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A serde configured by class name ({@code kafka.value.serializer=...}) builds its registry client
 * from Kafka client properties; it must refuse the registry URLs {@link KafkaConnection#from}
 * refuses.
 */
class SchemaRegistryClientConfigTest {

  @Test
  void plainHttpToARemoteRegistryIsRefusedByClassNameAsByTheConnection() {
    String url = "http://bob:s3cret@registry.kafka.svc:8081";

    assertThatThrownBy(
            () -> SchemaRegistryClientConfig.fromSerdeConfigs(Map.of("schema.registry.url", url)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http://registry.kafka.svc:8081")
        .hasMessageContaining("https://")
        .hasMessageContaining("schema.registry.allow.insecure=true")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(
            () ->
                new ConfluentAvroSerializer<>()
                    .configure(Map.of("schema.registry.url", "http://registry:8081"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("plain http");
  }

  @Test
  void aSecondUrlInClearIsRefusedToo() {
    assertThatThrownBy(
            () ->
                SchemaRegistryClientConfig.fromSerdeConfigs(
                    Map.of("schema.registry.url", "https://a.example,http://b.example:8081")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http://b.example:8081");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"http://127.0.0.1:8081", "http://localhost:8081", "https://registry.example"})
  void httpsOrALoopbackHostNeedsNoPermission(String url) {
    assertThat(
            SchemaRegistryClientConfig.fromSerdeConfigs(Map.of("schema.registry.url", url)).urls())
        .containsExactly(URI.create(url));
  }

  @Test
  void plainHttpToARemoteRegistryIsAcceptedWhenExplicitlyAllowed() {
    var config =
        SchemaRegistryClientConfig.fromSerdeConfigs(
            Map.of(
                "schema.registry.url", "http://registry:8081",
                "schema.registry.allow.insecure", "true"));

    assertThat(config.urls()).containsExactly(URI.create("http://registry:8081"));
  }

  @Test
  void anAllowanceThatIsNotABooleanIsRefused() {
    assertThatThrownBy(
            () ->
                SchemaRegistryClientConfig.fromSerdeConfigs(
                    Map.of(
                        "schema.registry.url", "http://registry:8081",
                        "schema.registry.allow.insecure", "yes")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.allow.insecure");
  }

  @Test
  void theConnectionHandsItsAllowanceToTheSerdesItConfigures() {
    Map<String, String> settings =
        Map.of(
            "bootstrap.servers", "kafka:9092",
            "schema.registry.url", "http://registry:8081",
            "schema.registry.allow.insecure", "true");
    KafkaConnection allowed = KafkaConnection.from(new ConfigReader(Settings.ofFlags(settings)));
    KafkaConnection secure =
        KafkaConnection.from(
            new ConfigReader(
                Settings.ofFlags(
                    Map.of(
                        "bootstrap.servers",
                        "kafka:9092",
                        "schema.registry.url",
                        "https://registry:8081"))));

    assertThat(SchemaRegistryClientConfig.fromSerdeConfigs(allowed.serdeProperties()).urls())
        .isEqualTo(List.of(URI.create("http://registry:8081")));
    assertThat(secure.serdeProperties()).doesNotContainKey("schema.registry.allow.insecure");
  }
}
