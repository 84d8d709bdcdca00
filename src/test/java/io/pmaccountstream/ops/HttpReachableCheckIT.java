package io.pmaccountstream.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.ops.HealthCheck.Result;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpReachableCheckIT {

  private static final String SUBJECTS = "/apis/ccompat/v7/subjects";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Duration SHORT = Duration.ofMillis(500);

  private WireMockServer registry;

  @BeforeEach
  void start() {
    registry = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    registry.start();
  }

  @AfterEach
  void stop() {
    registry.stop();
  }

  private URI baseUrl() {
    return URI.create("http://127.0.0.1:" + registry.port() + "/apis/ccompat/v7");
  }

  @Test
  void upWhenTheRegistryListsItsSubjects() {
    registry.stubFor(get(SUBJECTS).willReturn(okJson("[\"pm.account.snapshots-value\"]")));

    Result result = HttpReachableCheck.schemaRegistry(baseUrl(), TIMEOUT).check();

    assertThat(result.isUp()).isTrue();
    assertThat(result.reason()).isEqualTo("GET " + baseUrl() + "/subjects answered 200");
  }

  @Test
  void keepsTheBasePathWithOrWithoutATrailingSlash() {
    assertThat(HttpReachableCheck.subjectsOf(URI.create("http://r:8081")))
        .isEqualTo(URI.create("http://r:8081/subjects"));
    assertThat(HttpReachableCheck.subjectsOf(URI.create("http://r/apis/ccompat/v7/")))
        .isEqualTo(URI.create("http://r/apis/ccompat/v7/subjects"));
  }

  @Test
  void downWithTheStatusWhenTheRegistryRefusesTheCredentials() {
    registry.stubFor(get(SUBJECTS).willReturn(aResponse().withStatus(401)));

    Result result =
        HttpReachableCheck.schemaRegistry(baseUrl(), TIMEOUT)
            .withAuthorization(Secret.of("Bearer wrong-token-value"))
            .check();

    assertThat(result).isEqualTo(Result.down("GET " + baseUrl() + "/subjects answered HTTP 401"));
    registry.verify(
        getRequestedFor(urlEqualTo(SUBJECTS))
            .withHeader("Authorization", equalTo("Bearer wrong-token-value")));
  }

  @Test
  void downWhenTheRegistryDoesNotAnswerInTime() {
    registry.stubFor(get(SUBJECTS).willReturn(okJson("[]").withFixedDelay(3_000)));

    Result result = HttpReachableCheck.schemaRegistry(baseUrl(), SHORT).check();

    assertThat(result.isUp()).isFalse();
    assertThat(result.reason()).endsWith("did not answer within PT0.5S");
  }

  @Test
  void downWhenNothingListens() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    Result result =
        HttpReachableCheck.schemaRegistry(URI.create("http://127.0.0.1:" + closedPort), TIMEOUT)
            .check();

    assertThat(result.isUp()).isFalse();
    assertThat(result.reason())
        .startsWith("GET http://127.0.0.1:" + closedPort + "/subjects failed");
  }

  @Test
  void credentialsInTheUrlBecomeABasicHeaderAndNeverAReason() {
    registry.stubFor(get(SUBJECTS).willReturn(aResponse().withStatus(503)));
    URI withCredentials =
        URI.create("http://svc-user:pa55word@127.0.0.1:" + registry.port() + "/apis/ccompat/v7");

    Result result = HttpReachableCheck.schemaRegistry(withCredentials, TIMEOUT).check();

    assertThat(result.reason()).contains("HTTP 503").doesNotContain("pa55word", "svc-user");
    registry.verify(
        getRequestedFor(urlEqualTo(SUBJECTS))
            .withHeader("Authorization", equalTo("Basic c3ZjLXVzZXI6cGE1NXdvcmQ=")));
  }
}
