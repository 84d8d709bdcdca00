package io.pmaccountstream.simulator;

import io.pmaccountstream.simulator.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * One answer to {@code GET /papi/v1/account}, as the simulator recorded it: which account, its
 * how-many-th request, what was served, when. A test accounts for every one.
 *
 * @param seq the order in which the simulator recorded answers (from 1)
 * @param accountId the account of the API key; {@code ?} when the key is missing or unknown
 * @param request the account's request number (from 1); 0 for an unknown account
 * @param kind what kind of answer it was
 * @param name {@code good} for a good state, the corpus entry for a hostile answer, the fault's
 *     name for a classic fault, {@code rule:<status>:<code>} for one of Binance's documented
 *     rejections (weight, key, signature, timestamp)
 * @param status the HTTP status (0 for a connection reset)
 * @param delivery how the answer was written
 * @param state the account state a good answer showed (also a hostile answer whose body is exactly
 *     the state: {@link HostileAnswer.Accounting#STATE_OR_DEAD_LETTER})
 * @param at server time when the answer was completely written (when it was started, for a drip, a
 *     cut body or a reset)
 * @param bodyPrefix the start of the body, for matching a dead letter's raw body (up to {@link
 *     #BODY_PREFIX_BYTES} bytes); empty for good answers
 */
public record ServedAnswer(
    long seq,
    String accountId,
    long request,
    Kind kind,
    String name,
    int status,
    HttpResponse.Delivery delivery,
    Optional<AccountState> state,
    Instant at,
    byte[] bodyPrefix) {

  public static final int BODY_PREFIX_BYTES = 512;
  public static final String GOOD = "good";

  /** What kind of answer it was. */
  public enum Kind {
    GOOD,
    HOSTILE,
    FAULT,
    RULE
  }

  public boolean isGood() {
    return kind == Kind.GOOD;
  }

  /** The hostile corpus entry, for a hostile answer. */
  public Optional<HostileAnswer> hostile() {
    return kind == Kind.HOSTILE ? HostileCorpus.byName(name) : Optional.empty();
  }

  public String bodyPrefixText() {
    return new String(bodyPrefix, StandardCharsets.UTF_8);
  }

  /** For failure messages: {@code scale-9-uniMMR (calm-1 request #12, 200)}. */
  public String describe() {
    return name + " (" + accountId + " request #" + request + ", " + status + " at " + at + ")";
  }
}
