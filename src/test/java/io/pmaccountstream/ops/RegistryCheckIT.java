package io.pmaccountstream.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.unauthorized;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.testing.TestTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry readiness check of poll and derive authenticates exactly as the serdes do. */
class RegistryCheckIT {

  @TempDir Path dir;

  private WireMockServer registry;

  @BeforeEach
  void start() {
    registry = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    registry.start();
    registry.stubFor(get(urlEqualTo("/subjects")).willReturn(unauthorized()));
  }

  @AfterEach
  void stop() {
    registry.stop();
  }

  @Test
  void sendsTheBasicAuthOfTheConfiguredPasswordFile() throws Exception {
    Path password = Files.writeString(dir.resolve("password"), "pw-from-file\n");
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString("pmas:pw-from-file".getBytes(StandardCharsets.UTF_8));
    registry.stubFor(
        get(urlEqualTo("/subjects"))
            .withHeader("Authorization", equalTo(expected))
            .willReturn(okJson("[]")));

    HealthCheck.Result result =
        ConnectionChecks.registryCheck(
                connection(
                    Map.of(
                        "schema.registry.basic.auth.user",
                        "pmas",
                        "schema.registry.basic.auth.password.file",
                        password.toString())))
            .check();

    assertThat(result.isUp()).as(result.reason()).isTrue();
    assertThat(result.reason()).doesNotContain("pw-from-file");
  }

  @Test
  void sendsTheBearerToken() {
    registry.stubFor(
        get(urlEqualTo("/subjects"))
            .withHeader("Authorization", equalTo("Bearer tok"))
            .willReturn(okJson("[]")));

    HealthCheck.Result result =
        ConnectionChecks.registryCheck(connection(Map.of("schema.registry.bearer.token", "tok")))
            .check();

    assertThat(result.isUp()).as(result.reason()).isTrue();
  }

  @Test
  void withoutCredentialsTheRegistrysRefusalMakesItNotReady() {
    HealthCheck.Result result = ConnectionChecks.registryCheck(connection(Map.of())).check();

    assertThat(result.isUp()).isFalse();
    assertThat(result.reason()).contains("401");
  }

  @Test
  void trustsTheRegistrysPrivateCaFromTheConfiguredPem() throws Exception {
    TestTls tls = TestTls.generate(dir.resolve("tls"));
    Path ca = Files.writeString(dir.resolve("ca.crt"), tls.caPem());
    WireMockServer https = new WireMockServer(tls.httpsOnlyWireMock());
    https.start();
    try {
      https.stubFor(get(urlEqualTo("/subjects")).willReturn(okJson("[]")));
      Map<String, String> flags = new java.util.HashMap<>();
      flags.put("bootstrap.servers", "127.0.0.1:9092");
      flags.put("schema.registry.url", "https://127.0.0.1:" + https.httpsPort());
      KafkaConnection withoutCa = KafkaConnection.from(new ConfigReader(Settings.ofFlags(flags)));
      flags.put("schema.registry.ssl.truststore.location", ca.toString());
      KafkaConnection withCa = KafkaConnection.from(new ConfigReader(Settings.ofFlags(flags)));

      HealthCheck.Result trusted = ConnectionChecks.registryCheck(withCa).check();
      HealthCheck.Result refused = ConnectionChecks.registryCheck(withoutCa).check();

      assertThat(trusted.isUp()).as(trusted.reason()).isTrue();
      assertThat(refused.isUp()).as(refused.reason()).isFalse();
    } finally {
      https.stop();
    }
  }

  private KafkaConnection connection(Map<String, String> auth) {
    Map<String, String> flags = new java.util.HashMap<>(auth);
    flags.put("bootstrap.servers", "127.0.0.1:9092");
    flags.put("schema.registry.url", "http://127.0.0.1:" + registry.port());
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));
    KafkaConnection connection = KafkaConnection.from(reader);
    reader.throwIfProblems();
    return connection;
  }
}
