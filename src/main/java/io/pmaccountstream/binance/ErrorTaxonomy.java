package io.pmaccountstream.binance;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The one place that maps what Binance (or the network) answered to what the client does. Checked
 * top to bottom; the first matching row wins.
 *
 * <table>
 *   <caption>Error taxonomy</caption>
 *   <tr><th>Answer</th><th>Kind (if it is the last)</th><th>Action</th><th>accountFailed</th></tr>
 *   <tr><td>2xx with a valid account</td><td>(success)</td><td>accept</td><td></td></tr>
 *   <tr><td>2xx that is not an account: not JSON, HTML, missing or non-numeric field, body over
 *       {@code binance.max.body.bytes}</td><td>BAD_PAYLOAD</td><td>stop; raw body kept</td>
 *       <td>no</td></tr>
 *   <tr><td>418 (any code)</td><td>IP_BANNED</td><td>stop ALL requests until Retry-After
 *       (2 min if absent); error log, metric, health</td><td>no</td></tr>
 *   <tr><td>429, or code -1003</td><td>RATE_LIMITED</td><td>pause all requests until Retry-After
 *       (else the next minute), halve the weight share, retry</td><td>no</td></tr>
 *   <tr><td>code -1021 (timestamp outside recvWindow)</td><td>CLOCK_SKEW</td><td>re-sync the
 *       server clock and retry at once (once per fetch), then back off</td><td>no</td></tr>
 *   <tr><td>code -1000, -1001, -1006, -1007, -1008 (unknown, disconnected, execution status
 *       unknown, busy)</td><td>RETRIES_EXHAUSTED</td><td>back off, retry</td><td>no</td></tr>
 *   <tr><td>code -1022 (signature invalid)</td><td>FATAL_CONFIG</td><td>stop</td><td>yes</td></tr>
 *   <tr><td>code -2014 (API-key format invalid)</td><td>FATAL_CONFIG</td><td>stop</td>
 *       <td>yes</td></tr>
 *   <tr><td>code -2015 (invalid key, IP or permissions)</td><td>FATAL_CONFIG</td><td>stop</td>
 *       <td>yes</td></tr>
 *   <tr><td>code -1002 (unauthorized)</td><td>FATAL_CONFIG</td><td>stop</td><td>yes</td></tr>
 *   <tr><td>code -1131 (recvWindow too large)</td><td>FATAL_CONFIG</td><td>stop</td>
 *       <td>no</td></tr>
 *   <tr><td>other code -1100..-1199 (malformed request)</td><td>REJECTED</td><td>stop</td>
 *       <td>no</td></tr>
 *   <tr><td>401</td><td>FATAL_CONFIG</td><td>stop</td><td>yes</td></tr>
 *   <tr><td>403 (Binance: a WAF limit was violated; not an auth failure)</td><td>FATAL_CONFIG</td>
 *       <td>stop</td><td>no</td></tr>
 *   <tr><td>3xx (never followed), 404, 405 (wrong base URL)</td><td>FATAL_CONFIG</td><td>stop</td>
 *       <td>no</td></tr>
 *   <tr><td>408, 5xx (503 "unknown" included: safe, the GET only reads)</td>
 *       <td>RETRIES_EXHAUSTED</td><td>back off, retry</td><td>no</td></tr>
 *   <tr><td>any other status</td><td>REJECTED</td><td>stop</td><td>no</td></tr>
 *   <tr><td>TLS handshake or certificate failure</td><td>FATAL_CONFIG</td><td>stop</td>
 *       <td>no</td></tr>
 *   <tr><td>connect/response timeout, connection refused or reset, no response, unknown host,
 *       other I/O error</td><td>RETRIES_EXHAUSTED</td><td>back off, retry</td><td>no</td></tr>
 * </table>
 *
 * <p>Retries are bounded by {@code binance.retry.max.attempts} with jittered exponential backoff,
 * each attempt freshly signed. "stop" ends this fetch only: a FATAL_CONFIG or REJECTED answer makes
 * the poller pause that account on a capped backoff and try again by itself, since a key, a
 * whitelist, a WAF rule or a proxy can be fixed while the process runs. No verdict needs a restart.
 */
public final class ErrorTaxonomy {

  /** What the client does next. */
  public enum Action {
    /** The response is the account: parse it. */
    ACCEPT,
    /** Transient: back off (jittered, exponential), re-sign, try again while attempts remain. */
    RETRY,
    /** Our timestamp was rejected: re-sync the server clock, then retry. */
    RESYNC_CLOCK_AND_RETRY,
    /** Rate limited: the weight budget pauses every account; retry when it allows. */
    WAIT_AND_RETRY,
    /** Final: report the failure now. */
    STOP
  }

  /**
   * What to do about one answer.
   *
   * @param kind the failure kind reported if this answer ends the fetch
   * @param accountFailed the account's own credentials are at fault
   * @param advice what a person should do about it
   */
  public record Verdict(Action action, FailureKind kind, boolean accountFailed, String advice) {

    public boolean accepted() {
      return action == Action.ACCEPT;
    }

    public boolean retryable() {
      return action == Action.RETRY
          || action == Action.RESYNC_CLOCK_AND_RETRY
          || action == Action.WAIT_AND_RETRY;
    }
  }

  public static final int IP_BANNED_STATUS = 418;
  public static final int TOO_MANY_REQUESTS_STATUS = 429;

  private static final Set<Integer> TRANSIENT_CODES = Set.of(-1000, -1001, -1006, -1007, -1008);

  private static final String TRANSIENT_ADVICE =
      "Binance or the network failed on every attempt; this is usually transient and the next"
          + " poll tries again. If it persists, check connectivity to binance.base.url and"
          + " Binance's status page.";
  private static final String CLOCK_ADVICE =
      "Binance kept rejecting our timestamp even after re-synchronising: run NTP on this host;"
          + " if it persists raise binance.recv.window (at most 60s) or set binance.time.url.";
  private static final String RATE_LIMIT_ADVICE =
      "Too much request weight from this IP (Binance counts 6000 per minute per IP, shared with"
          + " every program on it): poll fewer accounts or less often, or lower"
          + " binance.weight.max.share. Requests pause until Binance's Retry-After.";
  private static final String BANNED_ADVICE =
      "Binance banned this IP for ignoring rate limits (HTTP 418, 2 minutes up to 3 days): all"
          + " requests stop until the ban ends. Find what else on this IP calls Binance, and"
          + " lower binance.weight.max.share or the poll frequency.";
  private static final String PAYLOAD_ADVICE =
      "The response is not a Portfolio Margin account: check that binance.base.url points at the"
          + " Portfolio Margin API (papi) and not at a proxy or a login page; the raw body is kept"
          + " for the dead-letter topic.";

  private ErrorTaxonomy() {}

  /** The verdict for an HTTP answer with {@code status} and Binance's error {@code code}. */
  public static Verdict forResponse(int status, Optional<Integer> code) {
    if (status == IP_BANNED_STATUS) {
      return stop(FailureKind.IP_BANNED, false, BANNED_ADVICE);
    }
    if (status == TOO_MANY_REQUESTS_STATUS || code.equals(Optional.of(-1003))) {
      return new Verdict(Action.WAIT_AND_RETRY, FailureKind.RATE_LIMITED, false, RATE_LIMIT_ADVICE);
    }
    if (code.isPresent()) {
      Optional<Verdict> byCode = forCode(code.get());
      if (byCode.isPresent()) {
        return byCode.get();
      }
    }
    return forStatus(status);
  }

  /** The verdict for a 2xx body that is not an account, or that is larger than the cap. */
  public static Verdict forBadPayload() {
    return stop(FailureKind.BAD_PAYLOAD, false, PAYLOAD_ADVICE);
  }

  /** The verdict when the weight budget refuses to send (IP banned, or budget spent too long). */
  public static Verdict forBudgetRefusal(FailureKind kind) {
    return stop(kind, false, kind == FailureKind.IP_BANNED ? BANNED_ADVICE : RATE_LIMIT_ADVICE);
  }

  /** The verdict for a request that got no HTTP answer. */
  public static Verdict forTransportError(IOException error) {
    if (error instanceof SSLHandshakeException || error instanceof SSLPeerUnverifiedException) {
      return stop(
          FailureKind.FATAL_CONFIG,
          false,
          "The TLS connection to binance.base.url failed (certificate or protocol): check the URL"
              + " and any TLS-intercepting proxy; retrying will not help.");
    }
    if (error instanceof UnknownHostException) {
      return retry(
          "The host of binance.base.url does not resolve: check its spelling and this host's"
              + " DNS.");
    }
    if (error instanceof InterruptedIOException) {
      return retry(
          "Binance did not answer within binance.connect.timeout / binance.response.timeout, or"
              + " the whole answer took longer than binance.response.deadline (a slow, dripping"
              + " body is cut); usually transient. If it persists, check the network path to"
              + " Binance.");
    }
    return retry(TRANSIENT_ADVICE);
  }

  private static Optional<Verdict> forCode(int code) {
    if (code == -1021) {
      return Optional.of(
          new Verdict(Action.RESYNC_CLOCK_AND_RETRY, FailureKind.CLOCK_SKEW, false, CLOCK_ADVICE));
    }
    if (TRANSIENT_CODES.contains(code)) {
      return Optional.of(retry(TRANSIENT_ADVICE));
    }
    return Optional.ofNullable(
        switch (code) {
          case -1022 ->
              fatal(
                  true,
                  "The signature does not match the API key: the secret or private key belongs to"
                      + " another key (for RSA/Ed25519, register the matching public key with"
                      + " Binance).");
          case -2014 ->
              fatal(
                  true,
                  "Binance says the API key is malformed: check api.key / account.<id>.api.key"
                      + " (no quotes, spaces or line breaks; from the right file).");
          case -2015 ->
              fatal(
                  true,
                  "Binance refused the key for this request. One of: the API key is wrong or"
                      + " deleted; this machine's public IP is not on the key's IP whitelist; the"
                      + " key lacks read permission; or the account is not enrolled in Portfolio"
                      + " Margin (a key created before the enrolment must be recreated).");
          case -1002 ->
              fatal(true, "Binance says the request is not authorized: check the API key.");
          case -1131 ->
              fatal(
                  false,
                  "Binance refused recvWindow as too large: set binance.recv.window to at most"
                      + " 60s (5s recommended).");
          default ->
              code <= -1100 && code >= -1199
                  ? stop(
                      FailureKind.REJECTED,
                      false,
                      "Binance rejected the request as malformed: a bug in pm-account-stream or"
                          + " an API change; report it with this message.")
                  : null;
        });
  }

  private static Verdict forStatus(int status) {
    if (status >= 200 && status < 300) {
      return new Verdict(Action.ACCEPT, FailureKind.BAD_PAYLOAD, false, PAYLOAD_ADVICE);
    }
    if (status == 401 || status == 403) {
      return fatal(
          status == 401,
          status == 401
              ? "Binance refused the credentials (HTTP 401): check the API key, its permissions and"
                  + " its IP whitelist. Polling of this account pauses and resumes by itself once"
                  + " the key is fixed."
              : "Binance's web application firewall refused the request (HTTP 403: a WAF limit was"
                  + " violated, not an authentication failure). Usually too many requests, or a"
                  + " request pattern the WAF blocks, from this IP; polling of this account pauses"
                  + " and resumes by itself. If it persists, lower the request rate and check that"
                  + " no proxy rewrites the requests.");
    }
    if ((status >= 300 && status < 400) || status == 404 || status == 405) {
      return fatal(
          false,
          "binance.base.url does not serve GET /papi/v1/account (HTTP "
              + status
              + (status < 400 ? ", a redirect, which is never followed with a signed request" : "")
              + "): point it at the Portfolio Margin API, https://papi.binance.com. Polling of"
              + " this account pauses and resumes by itself.");
    }
    if (status == 408 || status >= 500) {
      return retry(TRANSIENT_ADVICE);
    }
    return stop(
        FailureKind.REJECTED,
        false,
        "Binance answered HTTP "
            + status
            + ", which pm-account-stream does not expect here; check binance.base.url, and report"
            + " it if it persists.");
  }

  private static Verdict retry(String advice) {
    return new Verdict(Action.RETRY, FailureKind.RETRIES_EXHAUSTED, false, advice);
  }

  private static Verdict fatal(boolean accountFailed, String advice) {
    return stop(FailureKind.FATAL_CONFIG, accountFailed, advice);
  }

  private static Verdict stop(FailureKind kind, boolean accountFailed, String advice) {
    return new Verdict(Action.STOP, kind, accountFailed, advice);
  }
}
