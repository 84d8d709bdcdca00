package io.pmaccountstream.serde;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubjectCompatibilityTest {

  @Test
  void setsBackwardTransitiveOnTheValueSubjectOfEachTopic() {
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    registry.setCompatibility("b-value", "BACKWARD");

    SubjectCompatibility.ensureBackwardTransitive(registry, List.of("a", "b"));

    assertThat(registry.compatibility("a-value")).hasValue("BACKWARD_TRANSITIVE");
    assertThat(registry.compatibility("b-value")).hasValue("BACKWARD_TRANSITIVE");
    assertThat(registry.compatibility("a-key")).isEmpty();
  }

  @Test
  void leavesASubjectAlreadyAtTheLevelAlone() {
    WireMockServer wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    wireMock.start();
    try (HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(
            SchemaRegistryClientConfig.of(URI.create("http://127.0.0.1:" + wireMock.port())))) {
      wireMock.stubFor(
          get(urlEqualTo("/config/a-value"))
              .willReturn(okJson("{\"compatibilityLevel\":\"BACKWARD_TRANSITIVE\"}")));
      wireMock.stubFor(put(anyUrl()).willReturn(okJson("{}")));

      boolean changed = SubjectCompatibility.ensure(client, "a-value", "BACKWARD_TRANSITIVE");

      assertThat(changed).isFalse();
      wireMock.verify(0, putRequestedFor(anyUrl()));
    } finally {
      wireMock.stop();
    }
  }
}
