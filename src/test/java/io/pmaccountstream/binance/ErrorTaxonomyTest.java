package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.binance.ErrorTaxonomy.Action;
import io.pmaccountstream.binance.ErrorTaxonomy.Verdict;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorTaxonomyTest {

  static Stream<Arguments> answers() {
    return Stream.of(
        row(200, null, Action.ACCEPT, FailureKind.BAD_PAYLOAD, false),
        row(418, null, Action.STOP, FailureKind.IP_BANNED, false),
        row(418, -1003, Action.STOP, FailureKind.IP_BANNED, false),
        row(429, null, Action.WAIT_AND_RETRY, FailureKind.RATE_LIMITED, false),
        row(429, -1003, Action.WAIT_AND_RETRY, FailureKind.RATE_LIMITED, false),
        row(400, -1003, Action.WAIT_AND_RETRY, FailureKind.RATE_LIMITED, false),
        row(400, -1021, Action.RESYNC_CLOCK_AND_RETRY, FailureKind.CLOCK_SKEW, false),
        row(400, -1000, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(400, -1001, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(500, -1001, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(503, -1006, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(408, -1007, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(400, -1008, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(400, -1022, Action.STOP, FailureKind.FATAL_CONFIG, true),
        row(401, -2014, Action.STOP, FailureKind.FATAL_CONFIG, true),
        row(400, -2014, Action.STOP, FailureKind.FATAL_CONFIG, true),
        row(401, -2015, Action.STOP, FailureKind.FATAL_CONFIG, true),
        row(400, -2015, Action.STOP, FailureKind.FATAL_CONFIG, true),
        row(401, -1002, Action.STOP, FailureKind.FATAL_CONFIG, true),
        row(400, -1131, Action.STOP, FailureKind.FATAL_CONFIG, false),
        row(400, -1102, Action.STOP, FailureKind.REJECTED, false),
        row(400, -1100, Action.STOP, FailureKind.REJECTED, false),
        row(401, null, Action.STOP, FailureKind.FATAL_CONFIG, true),
        row(403, null, Action.STOP, FailureKind.FATAL_CONFIG, false),
        row(302, null, Action.STOP, FailureKind.FATAL_CONFIG, false),
        row(307, null, Action.STOP, FailureKind.FATAL_CONFIG, false),
        row(404, null, Action.STOP, FailureKind.FATAL_CONFIG, false),
        row(405, null, Action.STOP, FailureKind.FATAL_CONFIG, false),
        row(301, null, Action.STOP, FailureKind.FATAL_CONFIG, false),
        row(408, null, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(500, null, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(502, null, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(503, null, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(504, null, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(400, null, Action.STOP, FailureKind.REJECTED, false),
        row(400, -9999, Action.STOP, FailureKind.REJECTED, false),
        row(503, -9999, Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false),
        row(451, null, Action.STOP, FailureKind.REJECTED, false));
  }

  @ParameterizedTest(name = "HTTP {0} code {1} -> {2} {3}, accountFailed={4}")
  @MethodSource("answers")
  void mapsEveryAnswerToOneAction(
      int status, Integer code, Action action, FailureKind kind, boolean accountFailed) {
    Verdict verdict = ErrorTaxonomy.forResponse(status, Optional.ofNullable(code));

    assertThat(verdict.action()).isEqualTo(action);
    assertThat(verdict.kind()).isEqualTo(kind);
    assertThat(verdict.accountFailed()).isEqualTo(accountFailed);
    assertThat(verdict.advice()).isNotBlank();
  }

  static Stream<Arguments> transportErrors() {
    return Stream.of(
        Arguments.of(new SocketTimeoutException("Read timed out"), Action.RETRY),
        Arguments.of(new ConnectTimeoutException("connect timed out"), Action.RETRY),
        Arguments.of(new ConnectException("Connection refused"), Action.RETRY),
        Arguments.of(new SocketException("Connection reset"), Action.RETRY),
        Arguments.of(new NoHttpResponseException("failed to respond"), Action.RETRY),
        Arguments.of(new UnknownHostException("papi.binance.cm"), Action.RETRY),
        Arguments.of(new IOException("something else"), Action.RETRY),
        Arguments.of(
            new HttpTransport.ResponseDeadlineExceeded(java.time.Duration.ofSeconds(10)),
            Action.RETRY),
        Arguments.of(new SSLHandshakeException("PKIX path building failed"), Action.STOP));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("transportErrors")
  void mapsTransportErrors(IOException error, Action action) {
    Verdict verdict = ErrorTaxonomy.forTransportError(error);

    assertThat(verdict.action()).isEqualTo(action);
    assertThat(verdict.kind())
        .isEqualTo(
            action == Action.RETRY ? FailureKind.RETRIES_EXHAUSTED : FailureKind.FATAL_CONFIG);
    assertThat(verdict.accountFailed()).isFalse();
  }

  @org.junit.jupiter.api.Test
  void minus2015ExplainsTheThreeUsualCauses() {
    assertThat(ErrorTaxonomy.forResponse(401, Optional.of(-2015)).advice())
        .contains("IP whitelist", "permission", "Portfolio Margin");
  }

  @org.junit.jupiter.api.Test
  void answersThatLookFatal_403IsAWafLimitViolationNotAnAuthFailure() {
    Verdict verdict = ErrorTaxonomy.forResponse(403, Optional.empty());

    assertThat(verdict.accountFailed()).isFalse();
    assertThat(verdict.advice())
        .contains("WAF limit was violated, not an authentication failure")
        .contains("resumes by itself");
  }

  @org.junit.jupiter.api.Test
  void answersThatLookFatal_aRedirectSaysItIsNeverFollowed() {
    assertThat(ErrorTaxonomy.forResponse(302, Optional.empty()).advice())
        .startsWith(
            "binance.base.url does not serve GET /papi/v1/account (HTTP 302, a redirect, which is"
                + " never followed with a signed request)");
  }

  @ParameterizedTest(name = "HTTP {0} code {1}")
  @MethodSource("answers")
  void answersThatLookFatal_noAdviceAsksForARestart(int status, Integer code) {
    assertThat(ErrorTaxonomy.forResponse(status, Optional.ofNullable(code)).advice())
        .doesNotContainIgnoringCase("restart");
  }

  @org.junit.jupiter.api.Test
  void badPayloadsAndBudgetRefusalsStop() {
    assertThat(ErrorTaxonomy.forBadPayload().action()).isEqualTo(Action.STOP);
    assertThat(ErrorTaxonomy.forBudgetRefusal(FailureKind.IP_BANNED).kind())
        .isEqualTo(FailureKind.IP_BANNED);
    assertThat(ErrorTaxonomy.forBudgetRefusal(FailureKind.RATE_LIMITED).advice())
        .contains("weight");
  }

  private static Arguments row(
      int status, Integer code, Action action, FailureKind kind, boolean accountFailed) {
    return Arguments.of(status, code, action, kind, accountFailed);
  }
}
