package io.pmaccountstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KafkaConnectionTest {

  @TempDir Path dir;

  private static ConfigReader reader(Map<String, String> extra) {
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", "kafka:9093");
    flags.put("schema.registry.url", "https://registry.example:8081");
    flags.putAll(extra);
    return new ConfigReader(Settings.ofFlags(flags));
  }

  @Test
  void plainHttpToARemoteRegistryIsRefusedWithTheWayOut() {
    ConfigReader reader = reader(Map.of("schema.registry.url", "http://registry.kafka.svc:8081"));

    assertThatThrownBy(() -> KafkaConnection.from(reader)).isInstanceOf(ConfigException.class);

    assertThat(reader.problems())
        .singleElement()
        .asString()
        .contains(
            "schema.registry.url",
            "http://registry.kafka.svc:8081",
            "https://",
            "schema.registry.allow.insecure=true");
  }

  @Test
  void plainHttpToARemoteRegistryIsAcceptedWhenExplicitlyAllowed() {
    ConfigReader reader =
        reader(
            Map.of(
                "schema.registry.url", "http://registry.kafka.svc:8081",
                "schema.registry.allow.insecure", "true"));

    KafkaConnection.from(reader);

    assertThat(reader.problems()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1:8081",
        "http://127.10.0.3:8081",
        "http://localhost:8081",
        "http://[::1]:8081",
        "https://registry.example"
      })
  void httpsOrALoopbackHostNeedsNoPermission(String url) {
    ConfigReader reader = reader(Map.of("schema.registry.url", url));

    KafkaConnection.from(reader);

    assertThat(reader.problems()).isEmpty();
  }

  @Test
  void aNameThatMerelyLooksLocalIsNotLoopback() {
    assertThat(KafkaConnection.isLoopback("127.0.0.1.example.com")).isFalse();
    assertThat(KafkaConnection.isLoopback("127.0.0.256")).isFalse();
    assertThat(KafkaConnection.isLoopback("localhost.example")).isFalse();
  }

  @Test
  void registrySecretsAreReadFromFiles() throws IOException {
    Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
    ConfigReader reader =
        reader(
            Map.of(
                "schema.registry.basic.auth.user",
                "pmas",
                "schema.registry.basic.auth.password.file",
                password.toString()));

    KafkaConnection connection = KafkaConnection.from(reader);

    assertThat(reader.problems()).isEmpty();
    assertThat(connection.registryBasicAuthPassword()).hasValue(Secret.of("s3cret"));
    assertThat(connection.registryAuthorization())
        .hasValue(
            Secret.of(
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString("pmas:s3cret".getBytes(StandardCharsets.UTF_8))));
    assertThat(connection.serdeProperties()).containsEntry("basic.auth.user.info", "pmas:s3cret");
  }

  @Test
  void aBearerTokenFileGivesABearerHeader() throws IOException {
    Path token = Files.writeString(dir.resolve("token"), "tok");
    ConfigReader reader = reader(Map.of("schema.registry.bearer.token.file", token.toString()));

    KafkaConnection connection = KafkaConnection.from(reader);

    assertThat(reader.problems()).isEmpty();
    assertThat(connection.registryAuthorization()).hasValue(Secret.of("Bearer tok"));
  }

  @Test
  void noCredentialsNoHeader() {
    assertThat(KafkaConnection.from(reader(Map.of())).registryAuthorization()).isEmpty();
  }

  @Test
  void fileProblemsAreReportedWithoutTheValue() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty"), " \n");
    ConfigReader reader =
        reader(
            Map.of(
                "schema.registry.basic.auth.user",
                "pmas",
                "schema.registry.basic.auth.password",
                "inline-value",
                "schema.registry.basic.auth.password.file",
                empty.toString(),
                "schema.registry.bearer.token.file",
                dir.resolve("missing").toString()));

    assertThatThrownBy(() -> KafkaConnection.from(reader)).isInstanceOf(ConfigException.class);

    assertThat(reader.problems())
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains(
                        "schema.registry.basic.auth.password",
                        "schema.registry.basic.auth.password.file",
                        "not both"))
        .anySatisfy(p -> assertThat(p).contains("schema.registry.bearer.token.file", "missing"))
        .noneSatisfy(p -> assertThat(p).contains("inline-value"));
  }

  @Test
  void everyKafkaPassThroughKeyReachesTheClientsIncludingConfigProviders() {
    Settings settings =
        Settings.load(
            Optional.empty(),
            Map.of(
                "PMAS_BOOTSTRAP_SERVERS", "kafka:9093",
                "PMAS_SCHEMA_REGISTRY_URL", "https://registry.example",
                "PMAS_KAFKA_CONFIG_PROVIDERS", "dir",
                "PMAS_KAFKA_CONFIG_PROVIDERS_DIR_CLASS",
                    "org.apache.kafka.common.config.provider.DirectoryConfigProvider"),
            Map.of(
                "kafka.sasl.jaas.config",
                "x required password=\"${dir:/etc/pm-account-stream/kafka-credentials:password}\";"));

    Map<String, Object> client =
        KafkaConnection.from(new ConfigReader(settings)).clientProperties();

    assertThat(client)
        .containsEntry("bootstrap.servers", "kafka:9093")
        .containsEntry("config.providers", "dir")
        .containsEntry(
            "config.providers.dir.class",
            "org.apache.kafka.common.config.provider.DirectoryConfigProvider")
        .containsKey("sasl.jaas.config");
  }
}
