package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulateCommandIT {

  @TempDir Path dir;

  @Test
  void printsItsUrlAndWritesCredentialsAPollerCanUse() throws Exception {
    Path credentials = dir.resolve("simulator.properties");
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                cli.execute(
                    "simulate",
                    "--scenario",
                    "margin-call,liquidation",
                    "--accounts",
                    "2",
                    "--speed",
                    "20",
                    "--credentials-out",
                    credentials.toString(),
                    "--duration",
                    "4s"));

    await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("listening on"));
    Matcher url =
        Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)").matcher(out.toString());
    assertThat(url.find()).as(out.toString()).isTrue();
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(credentials)) {
      props.load(reader);
    }

    assertThat(props.getProperty("accounts"))
        .isEqualTo("margin-call-1,margin-call-2,liquidation-1,liquidation-2");
    assertThat(props.getProperty("binance.base.url")).isEqualTo(url.group(1));
    assertThat(out.toString()).contains("Accounts: margin-call-1, margin-call-2, liquidation-1");
    String payload = "timestamp=" + System.currentTimeMillis();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            url.group(1)
                                + "/papi/v1/account?"
                                + payload
                                + "&signature="
                                + hmac(props.getProperty("account.liquidation-2.secret"), payload)))
                    .header("X-MBX-APIKEY", props.getProperty("account.liquidation-2.api.key"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("\"accountStatus\":\"NORMAL\"");
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void exitsWith2ListingEveryConfigurationProblem() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err, true));

    int code = cli.execute("simulate", "--speed", "-1", "--scenario", "nope", "--reset-rate", "2");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("simulator.speed = '-1'")
        .contains("simulator.fault.reset.rate = '2'");
  }

  @Test
  void exitsWith2ForAnUnknownScenario() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err, true));

    int code = cli.execute("simulate", "--scenario", "nope");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("scenario 'nope' is neither built in");
  }

  private static String hmac(String secret, String payload) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
  }
}
