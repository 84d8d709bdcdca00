package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.Settings;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigCatalogTest {

  @Test
  void declaresEveryKeyOnceWithADescription() {
    List<String> names = ConfigCatalog.allFields().stream().map(ConfigField::name).toList();

    assertThat(names).doesNotHaveDuplicates();
    assertThat(ConfigCatalog.allFields()).allSatisfy(f -> assertThat(f.doc()).isNotBlank());
  }

  @Test
  void includesTheConnectionTopicsAndOpsKeys() {
    assertThat(ConfigCatalog.allFields())
        .extracting(ConfigField::name)
        .contains(
            "bootstrap.servers",
            "schema.registry.url",
            "topic.snapshots",
            "topic.dlq",
            "ops.http.port",
            "ops.http.bind",
            "log.format");
  }

  @Test
  void knowsDeclaredKeysOnly() {
    assertThat(ConfigCatalog.isKnownKey("ops.http.port")).isTrue();
    assertThat(ConfigCatalog.isKnownKey("ops.http.prot")).isFalse();
    assertThat(ConfigCatalog.isKnownKey("account.main.no.such.key")).isFalse();
  }

  @Test
  void knowsEveryKafkaClientPropertyThroughThePassThroughTemplate() {
    assertThat(ConfigCatalog.isKnownKey("kafka.security.protocol")).isTrue();
    assertThat(ConfigCatalog.isKnownKey("kafka.")).isFalse();
    assertThat(ConfigCatalog.passThroughFields())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.name()).isEqualTo("kafka.<property>");
              assertThat(Settings.envName(f.name())).isEqualTo("PMAS_KAFKA_<PROPERTY>");
              assertThat(f.doc()).contains("PMAS_KAFKA_SECURITY_PROTOCOL");
            });
    assertThat(ConfigCatalog.allFields())
        .extracting(ConfigField::name)
        .doesNotContain("kafka.<property>");
  }

  @Test
  void thePassThroughDocumentationShowsTheEncodingTheCodeApplies() {
    assertThat(Settings.envName("kafka.security.protocol"))
        .isEqualTo("PMAS_KAFKA_SECURITY_PROTOCOL");
    assertThat(Settings.keyOf("PMAS_KAFKA_SASL_JAAS_CONFIG")).contains("kafka.sasl.jaas.config");
    assertThat(ConfigCatalog.passThroughFields().get(0).doc())
        .contains("PMAS_KAFKA_SASL_JAAS_CONFIG", ". as _, _ as __ and - as ___");
  }

  @Test
  void mapsKeysToTheirEnvironmentNames() {
    assertThat(ConfigCatalog.environmentNames(List.of("main")))
        .contains("PMAS_BOOTSTRAP_SERVERS", "PMAS_TOPIC_STATUS_TRANSITIONS", "PMAS_OPS_HTTP_BIND");
  }

  @Test
  void perAccountTemplatesCarryThePlaceholder() {
    assertThat(ConfigCatalog.perAccountFields())
        .allSatisfy(
            f ->
                assertThat(f.name())
                    .startsWith("account." + ConfigCatalog.ACCOUNT_ID_PLACEHOLDER + "."));
  }
}
