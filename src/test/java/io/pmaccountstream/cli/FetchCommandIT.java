package io.pmaccountstream.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fetch} end to end against WireMock on 127.0.0.1. */
class FetchCommandIT {

  private static final String API_KEY =
      "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
  private static final String SECRET =
      "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
  private static final String ACCOUNT =
      "{\"uniMMR\":\"5167.92171923\",\"accountEquity\":\"122607.35137903\","
          + "\"actualEquity\":\"73.47428058\",\"accountInitialMargin\":\"23.72469206\","
          + "\"accountMaintMargin\":\"23.72469200\",\"accountStatus\":\"NORMAL\","
          + "\"virtualMaxWithdrawAmount\":\"1627523.32459208\",\"totalAvailableBalance\":\"\","
          + "\"totalMarginOpenLoss\":\"\",\"updateTime\":1657707212154}";

  private static WireMockServer wireMock;

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void start() {
    wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    wireMock.start();
  }

  @AfterAll
  static void stop() {
    wireMock.stop();
  }

  @BeforeEach
  void reset() {
    wireMock.resetAll();
  }

  @Test
  void printsTheAccountAsJsonWithExactDecimalStrings() throws IOException {
    wireMock.stubFor(
        get(urlPathEqualTo("/papi/v1/account"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("X-MBX-USED-WEIGHT-1M", "20")
                    .withBody(ACCOUNT)));
    Path secretFile = Files.writeString(dir.resolve("secret"), SECRET + "\n");

    int exit =
        run(
            Map.of("PMAS_API_KEY", API_KEY),
            "--base-url",
            baseUrl(),
            "--secret-file",
            secretFile.toString(),
            "--account-id",
            "desk-1",
            "--recv-window",
            "3s");

    assertThat(exit).as(err.toString()).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.get("accountId").asText()).isEqualTo("desk-1");
    assertThat(json.get("accountStatus").asText()).isEqualTo("NORMAL");
    assertThat(json.get("accountEquity").isTextual()).isTrue();
    assertThat(json.get("accountEquity").asText()).isEqualTo("122607.35137903");
    assertThat(json.get("accountMaintMargin").asText()).isEqualTo("23.72469200");
    assertThat(json.get("totalAvailableBalance").isNull()).isTrue();
    assertThat(json.get("updateTime").asText()).isEqualTo("2022-07-13T10:13:32.154Z");
    assertThat(json.get("usedWeight1m").asInt()).isEqualTo(20);
    assertThat(out + err.toString()).doesNotContain(SECRET).doesNotContain(API_KEY);
    wireMock.verify(
        getRequestedFor(urlPathEqualTo("/papi/v1/account"))
            .withHeader("X-MBX-APIKEY", equalTo(API_KEY))
            .withQueryParam("recvWindow", equalTo("3000"))
            .withQueryParam("signature", matching("[0-9a-f]{64}")));
  }

  @Test
  void explainsMinus2015AndExitsWith1() throws IOException {
    wireMock.stubFor(
        get(urlPathEqualTo("/papi/v1/account"))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withBody(
                        "{\"code\":-2015,\"msg\":\"Invalid API-key, IP, or permissions for action.\"}")));
    Path config =
        Files.writeString(
            dir.resolve("pmas.properties"),
            "binance.base.url="
                + baseUrl()
                + "\napi.key="
                + API_KEY
                + "\napi.secret="
                + SECRET
                + "\n");

    int exit = run(Map.of(), "--config", config.toString());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .contains("Could not read account 'default': FATAL_CONFIG")
        .contains("HTTP status:  401")
        .contains("Binance code: -2015")
        .contains("Invalid API-key, IP, or permissions for action.")
        .contains("IP whitelist", "Portfolio Margin")
        .doesNotContain(SECRET)
        .doesNotContain(API_KEY);
    assertThat(out.toString()).isEmpty();
  }

  private static String baseUrl() {
    return "http://127.0.0.1:" + wireMock.port();
  }

  private int run(Map<String, String> env, String... args) {
    CommandLine command = Main.commandLine(new FetchCommand(env));
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    return command.execute(args);
  }
}
