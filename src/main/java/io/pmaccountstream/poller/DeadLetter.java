package io.pmaccountstream.poller;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One dead-letter record: a response we could not turn into a snapshot, or a fatal account error.
 * Published as a JSON object (documented in docs/dead-letter.md) keyed by accountId. The raw body
 * is capped by the client and never holds credentials: requests carry them, responses do not.
 */
public record DeadLetter(
    String accountId,
    Instant observedAt,
    String errorKind,
    OptionalInt httpStatus,
    Optional<Integer> binanceCode,
    String message,
    String advice,
    Optional<String> rawBody,
    String pollerInstanceId) {}
