package io.pmaccountstream.simulator;

import io.pmaccountstream.simulator.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every answer to {@code GET /papi/v1/account} the simulator served, in order, for tests to account
 * for each one (good states, hostile answers, classic faults and Binance's rule rejections alike).
 * Thread-safe; grows for the simulator's lifetime (a few hundred bytes an answer).
 */
public final class ServeLog {

  private final List<ServedAnswer> answers = new ArrayList<>();

  synchronized void record(
      String accountId,
      long request,
      ServedAnswer.Kind kind,
      String name,
      HttpResponse response,
      Optional<AccountState> state,
      Instant at) {
    byte[] body = response.body();
    byte[] prefix =
        kind == ServedAnswer.Kind.GOOD
            ? new byte[0]
            : Arrays.copyOf(body, Math.min(body.length, ServedAnswer.BODY_PREFIX_BYTES));
    answers.add(
        new ServedAnswer(
            answers.size() + 1L,
            accountId,
            request,
            kind,
            name,
            response.status(),
            response.delivery(),
            state,
            at,
            prefix));
  }

  /** Every answer so far, in the order recorded. */
  public synchronized List<ServedAnswer> all() {
    return List.copyOf(answers);
  }

  /** The answers of one account so far, in request order. */
  public synchronized List<ServedAnswer> of(String accountId) {
    return answers.stream().filter(a -> a.accountId().equals(accountId)).toList();
  }

  public synchronized int size() {
    return answers.size();
  }
}
