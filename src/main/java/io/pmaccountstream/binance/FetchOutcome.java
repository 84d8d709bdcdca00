package io.pmaccountstream.binance;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** The result of one {@link BinanceAccountClient#fetchAccount}: the account, or why not. */
public sealed interface FetchOutcome permits FetchOutcome.Success, FetchOutcome.Failure {

  /** The account was read. */
  record Success(AccountInfo account, ResponseMeta meta) implements FetchOutcome {
    public Success {
      Objects.requireNonNull(account, "account");
      Objects.requireNonNull(meta, "meta");
    }
  }

  /**
   * The account was not read; {@link ErrorTaxonomy} decided the kind and the advice.
   *
   * @param kind what went wrong, and so what to do
   * @param httpStatus of the last response, empty when none arrived (or none was sent)
   * @param binanceCode the {@code code} of Binance's error body, if any
   * @param message what happened, for people; never holds a secret
   * @param advice what to do about it, for people
   * @param rawBody the last response body (at most {@code binance.max.body.bytes}), for the
   *     dead-letter topic; secrets are never inside
   * @param observedAt when the failure was decided, on the server clock
   * @param accountFailed this account's credentials are wrong (not the network, not Binance's
   *     limits): pause this account, keep the others
   */
  record Failure(
      FailureKind kind,
      OptionalInt httpStatus,
      Optional<Integer> binanceCode,
      String message,
      String advice,
      Optional<String> rawBody,
      Instant observedAt,
      boolean accountFailed)
      implements FetchOutcome {
    public Failure {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(httpStatus, "httpStatus");
      Objects.requireNonNull(binanceCode, "binanceCode");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(advice, "advice");
      Objects.requireNonNull(rawBody, "rawBody");
      Objects.requireNonNull(observedAt, "observedAt");
    }
  }
}
