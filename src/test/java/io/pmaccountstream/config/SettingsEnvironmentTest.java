package io.pmaccountstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment encoding of keys (Confluent's Docker convention) and pass-through prefixes. */
class SettingsEnvironmentTest {

  @TempDir Path dir;

  @Test
  void encodesDotsUnderscoresAndDashesDistinctly() {
    assertThat(Settings.envName("binance.base.url")).isEqualTo("PMAS_BINANCE_BASE_URL");
    assertThat(Settings.envName("kafka.sasl.jaas.config")).isEqualTo("PMAS_KAFKA_SASL_JAAS_CONFIG");
    assertThat(Settings.envName("kafka.sasl_jaas.config"))
        .isEqualTo("PMAS_KAFKA_SASL__JAAS_CONFIG");
    assertThat(Settings.envName("account.desk-1.api.key"))
        .isEqualTo("PMAS_ACCOUNT_DESK___1_API_KEY");
  }

  @Test
  void decodesTheConfluentStyleNames() {
    assertThat(Settings.keyOf("PMAS_KAFKA_SSL_TRUSTSTORE_LOCATION"))
        .hasValue("kafka.ssl.truststore.location");
    assertThat(Settings.keyOf("PMAS_KAFKA_SASL__JAAS_CONFIG")).hasValue("kafka.sasl_jaas.config");
    assertThat(Settings.keyOf("PMAS_ACCOUNT_DESK___1_SECRET")).hasValue("account.desk-1.secret");
  }

  @Test
  void namesThatAreNoEncodedKeyDecodeToNothing() {
    assertThat(Settings.keyOf("KAFKA_SASL_JAAS_CONFIG")).isEmpty();
    assertThat(Settings.keyOf("PMAS_KAFKA_SASL____JAAS")).isEmpty();
    assertThat(Settings.keyOf("PMAS_KAFKA_sasl")).isEmpty();
    assertThat(Settings.keyOf("PMAS_KAFKA_")).isEmpty();
    assertThat(Settings.keyOf("PMAS__KAFKA")).isEmpty();
  }

  @Test
  void keysWithUpperCaseOrDoubledSeparatorsAreNotEncodable() {
    assertThat(Settings.isEncodable("kafka.sasl.jaas.config")).isTrue();
    assertThat(Settings.isEncodable("kafka.someCamelCase")).isFalse();
    assertThat(Settings.isEncodable("kafka..x")).isFalse();
    assertThat(Settings.isEncodable("kafka._x")).isFalse();
    assertThat(Settings.isEncodable("kafka.x.")).isFalse();
  }

  @Property
  void everyEncodableKeyRoundTripsThroughItsEnvironmentName(@ForAll("keys") String key) {
    assertThat(Settings.isEncodable(key)).isTrue();
    assertThat(Settings.keyOf(Settings.envName(key))).hasValue(key);
  }

  @Property
  void twoDifferentKeysNeverShareAnEnvironmentName(
      @ForAll("keys") String one, @ForAll("keys") String other) {
    if (!one.equals(other)) {
      assertThat(Settings.envName(one)).isNotEqualTo(Settings.envName(other));
    }
  }

  @Property
  void everyDecodableNameRoundTripsThroughItsKey(@ForAll("keys") String key) {
    String name = Settings.envName(key);
    assertThat(Settings.keyOf(name).map(Settings::envName)).hasValue(name);
  }

  @Provide
  Arbitrary<String> keys() {
    Arbitrary<String> word =
        Arbitraries.strings().withChars("abcxyz0129").ofMinLength(1).ofMaxLength(6);
    Arbitrary<String> separator = Arbitraries.of(".", "_", "-");
    Arbitrary<String> tail =
        Combinators.combine(separator, word)
            .as(String::concat)
            .list()
            .ofMaxSize(5)
            .map(parts -> String.join("", parts));
    return Combinators.combine(word, tail).as(String::concat);
  }

  @Test
  void passThroughKeysComeFromTheEnvironmentBetweenFileAndFlags() throws IOException {
    Path file = dir.resolve("pm.properties");
    Files.writeString(
        file,
        """
        kafka.security.protocol=SASL_PLAINTEXT
        kafka.sasl.mechanism=PLAIN
        kafka.client.id=from-file
        """);
    Settings settings =
        Settings.load(
            Optional.of(file),
            Map.of(
                "PMAS_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "PMAS_KAFKA_SASL_JAAS_CONFIG", "jaas",
                "PMAS_KAFKA_CLIENT_ID", "from-env",
                "PMAS_BOOTSTRAP_SERVERS", "b:9092",
                "PMAS_KAFKA__OTHER", "not under kafka."),
            Map.of("kafka.client.id", "from-flag"));

    assertThat(settings.withPrefix("kafka."))
        .containsOnly(
            Map.entry("security.protocol", "SASL_SSL"),
            Map.entry("sasl.mechanism", "PLAIN"),
            Map.entry("sasl.jaas.config", "jaas"),
            Map.entry("client.id", "from-flag"));
  }

  @Test
  void aVariableUnderThePrefixThatIsNoEncodedKeyFailsNamingIt() {
    Settings settings =
        Settings.load(
            Optional.empty(),
            Map.of("PMAS_KAFKA_SASL____JAAS", "x", "PMAS_KAFKA_acks", "all"),
            Map.of());

    assertThatThrownBy(() -> settings.withPrefix("kafka."))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("PMAS_KAFKA_SASL____JAAS")
        .hasMessageContaining("PMAS_KAFKA_acks")
        .hasMessageNotContaining("all");
  }

  @Test
  void typedKeysAreReadUnderTheirEncodedName() {
    Settings settings =
        Settings.load(
            Optional.empty(),
            Map.of("PMAS_ACCOUNT_DESK___1_API_KEY", "k", "PMAS_ACCOUNT_DESK_1_API_KEY", "other"),
            Map.of());

    assertThat(settings.get("account.desk-1.api.key")).hasValue("k");
    assertThat(settings.sourceOf("account.desk-1.api.key"))
        .isEqualTo("environment PMAS_ACCOUNT_DESK___1_API_KEY");
  }
}
