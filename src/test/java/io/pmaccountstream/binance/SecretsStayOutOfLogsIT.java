package io.pmaccountstream.binance;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.testing.TestClock;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs the client through successes and every kind of failure with our loggers at TRACE, and checks
 * that no log line, MDC value, stack trace or returned failure holds the API key, the secret, the
 * private key or any signature that was sent.
 */
class SecretsStayOutOfLogsIT {

  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger ours = (Logger) LoggerFactory.getLogger("io.pmaccountstream");
  private Level oursBefore;
  private WireMockBinance binance;

  @BeforeEach
  void captureLogs() {
    captured.start();
    root.addAppender(captured);
    oursBefore = ours.getLevel();
    ours.setLevel(Level.TRACE);
    binance = new WireMockBinance();
  }

  @AfterEach
  void restore() {
    root.detachAppender(captured);
    ours.setLevel(oursBefore);
    binance.close();
  }

  @Test
  void noSecretKeyOrSignatureInAnyLogLineOrFailure() {
    TestClock time = TestClock.at("2026-11-23T10:00:05Z");
    binance.reset(time, Duration.ofSeconds(3));
    KeyPair ed25519 = TestKeys.generate("Ed25519");
    String pem = TestKeys.pkcs8Pem(ed25519);
    AccountCredentials hmac = TestKeys.docAccount("alice");
    AccountCredentials edKey =
        new AccountCredentials(
            "bob",
            Secret.of("bob-api-key-0123456789"),
            RequestSigner.fromKeyMaterial(Secret.of(pem)));
    binance.acceptKey("bob-api-key-0123456789", (payload, signature) -> true);
    List<FetchOutcome> outcomes = new ArrayList<>();

    try (BinanceAccountClient client = client(time)) {
      for (ResponseDefinitionBuilder answer : answers()) {
        binance.wireMock().resetMappings();
        binance
            .wireMock()
            .stubFor(get(urlPathEqualTo(WireMockBinance.ACCOUNT_PATH)).willReturn(answer));
        outcomes.add(client.fetchAccount(hmac));
        outcomes.add(client.fetchAccount(edKey));
        time.advance(Duration.ofMinutes(3));
      }
    }

    List<String> forbidden = new ArrayList<>(signaturesSent());
    forbidden.add(TestKeys.DOC_SECRET);
    forbidden.add(TestKeys.DOC_API_KEY);
    forbidden.add("bob-api-key-0123456789");
    pem.lines().filter(l -> !l.startsWith("-----")).forEach(forbidden::add);
    assertThat(signaturesSent()).as("signatures sent").hasSizeGreaterThan(10);
    assertThat(captured.list).as("log events").hasSizeGreaterThan(10);
    assertThat(outcomes).anyMatch(o -> o instanceof FetchOutcome.Success);
    assertThat(outcomes).anyMatch(o -> o instanceof FetchOutcome.Failure);

    for (String text : logTexts()) {
      assertThat(text).doesNotContain(forbidden);
    }
    for (FetchOutcome outcome : outcomes) {
      assertThat(outcome.toString()).doesNotContain(forbidden);
    }
  }

  /** Successes and failures, including an error page that echoes the whole request back. */
  private static List<ResponseDefinitionBuilder> answers() {
    return List.of(
        ok(),
        error(400, -1022, "Signature for this request is not valid."),
        error(401, -2015, "Invalid API-key, IP, or permissions for action."),
        error(400, -2014, "API-key format invalid."),
        error(503, -1001, "Internal error."),
        aResponse()
            .withStatus(400)
            .withBody(
                "<html>Bad request: {{request.url}} key={{request.headers.X-MBX-APIKEY}}</html>")
            .withTransformers("response-template"),
        aResponse()
            .withStatus(200)
            .withBody("{\"echo\": \"{{request.url}}\"}")
            .withTransformers("response-template"),
        aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
        aResponse().withStatus(200).withBody("<html>login</html>"),
        aResponse().withStatus(429).withHeader("Retry-After", "1").withBody("{\"code\":-1003}"),
        aResponse().withStatus(418).withHeader("Retry-After", "60").withBody("{\"code\":-1003}"),
        ok());
  }

  private BinanceAccountClient client(TestClock time) {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(
                Map.of(
                    "binance.base.url",
                    binance.baseUrl().toString(),
                    "binance.time.url",
                    binance.timeUrl().toString(),
                    "binance.retry.max.attempts",
                    "2",
                    "binance.response.timeout",
                    "2s")));
    BinanceClientConfig config = BinanceClientConfig.from(reader);
    reader.throwIfProblems();
    return new BinanceAccountClient(config, new SimpleMeterRegistry(), time, time);
  }

  /** Every signature the server received, as sent and URL-decoded. */
  private List<String> signaturesSent() {
    List<String> signatures = new ArrayList<>();
    for (String query : binance.accountQueries()) {
      String sent = query.substring(query.lastIndexOf("&signature=") + "&signature=".length());
      signatures.add(sent);
      signatures.add(URLDecoder.decode(sent, StandardCharsets.UTF_8));
    }
    return signatures;
  }

  private List<String> logTexts() {
    List<String> texts = new ArrayList<>();
    for (ILoggingEvent event : captured.list) {
      texts.add(event.getFormattedMessage());
      texts.add(String.valueOf(event.getMDCPropertyMap()));
      if (event.getArgumentArray() != null) {
        for (Object argument : event.getArgumentArray()) {
          texts.add(String.valueOf(argument));
        }
      }
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        texts.add(t.getClassName() + ": " + t.getMessage());
        for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
          texts.add(frame.getSTEAsString());
        }
      }
    }
    return texts;
  }

  private static ResponseDefinitionBuilder ok() {
    return aResponse().withStatus(200).withBody(AccountInfoParserTest.DOC_EXAMPLE);
  }

  private static ResponseDefinitionBuilder error(int status, int code, String msg) {
    return aResponse()
        .withStatus(status)
        .withBody("{\"code\":" + code + ",\"msg\":\"" + msg + "\"}");
  }
}
