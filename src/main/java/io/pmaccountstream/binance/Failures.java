package io.pmaccountstream.binance;

import io.pmaccountstream.binance.AccountInfoParser.BinanceError;
import io.pmaccountstream.binance.ErrorTaxonomy.Verdict;
import io.pmaccountstream.binance.FetchOutcome.Failure;
import io.pmaccountstream.binance.WeightBudget.Admission;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Writes up a failed fetch for people and for the dead-letter topic: status, Binance's code and
 * message, the taxonomy's advice, the raw body; the signature and the API key masked everywhere.
 */
final class Failures {

  private final ServerClock serverClock;
  private final int maxBodyBytes;

  Failures(ServerClock serverClock, int maxBodyBytes) {
    this.serverClock = serverClock;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** What {@code verdict} made of {@code exchange}, with an optional detail (a parse error). */
  Failure of(Verdict verdict, Exchange exchange, SignedRequest request, Optional<String> detail) {
    Instant observedAt = serverClock.toServerTime(exchange.receivedAt());
    if (exchange instanceof Exchange.TransportError error) {
      String message = "no HTTP response: " + error.error();
      return new Failure(
          verdict.kind(),
          OptionalInt.empty(),
          Optional.empty(),
          request.redact(message),
          verdict.advice(),
          Optional.empty(),
          observedAt,
          verdict.accountFailed());
    }
    Exchange.Response response = (Exchange.Response) exchange;
    Optional<BinanceError> error = AccountInfoParser.parseError(response.body());
    StringBuilder message = new StringBuilder("HTTP ").append(response.status());
    error.ifPresent(
        e -> message.append(", Binance code ").append(e.code()).append(": ").append(e.msg()));
    if (response.truncated()) {
      message
          .append(": the body is larger than binance.max.body.bytes (")
          .append(maxBodyBytes)
          .append(" bytes)");
    }
    detail.ifPresent(d -> message.append(": ").append(d));
    String body = new String(response.body(), StandardCharsets.UTF_8);
    return new Failure(
        verdict.kind(),
        OptionalInt.of(response.status()),
        error.map(BinanceError::code),
        request.redact(message.toString()),
        verdict.advice(),
        body.isEmpty() ? Optional.empty() : Optional.of(request.redact(body)),
        observedAt,
        verdict.accountFailed());
  }

  /** The budget would not let a request go; the last answer, if any, explains why. */
  Failure refused(Admission.Refused refusal, Optional<Failure> previous) {
    Verdict verdict = ErrorTaxonomy.forBudgetRefusal(refusal.kind());
    return new Failure(
        refusal.kind(),
        previous.map(Failure::httpStatus).orElse(OptionalInt.empty()),
        previous.flatMap(Failure::binanceCode),
        refusal.reason() + previous.map(p -> "; last answer: " + p.message()).orElse(""),
        verdict.advice(),
        previous.flatMap(Failure::rawBody),
        serverClock.now(),
        false);
  }

  Failure interrupted() {
    return new Failure(
        FailureKind.INTERRUPTED,
        OptionalInt.empty(),
        Optional.empty(),
        "interrupted before the account was read",
        "The process is shutting down; nothing to do.",
        Optional.empty(),
        serverClock.now(),
        false);
  }
}
