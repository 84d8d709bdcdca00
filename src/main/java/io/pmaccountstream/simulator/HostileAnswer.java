package io.pmaccountstream.simulator;

import io.pmaccountstream.simulator.http.HttpResponse;
import java.time.Duration;

/**
 * One named answer of the {@link HostileCorpus}: what a Binance-like server, a proxy or a WAF in
 * front of it may send instead of a well-formed account, and how a client that loses nothing must
 * account for it.
 *
 * @param name stable, kebab-case; recorded in the {@link ServeLog} for every time it is served
 * @param accounting what a client must make of it
 * @param description what the answer is, in a few words
 */
public record HostileAnswer(
    String name, Accounting accounting, String description, Renderer renderer) {

  /** How a client that never goes blind and loses nothing accounts for the answer. */
  public enum Accounting {
    /** The body is not a valid account: a BAD_PAYLOAD dead letter, and polling goes on. */
    DEAD_LETTER,
    /**
     * An HTTP status (or a response that never completes in time) the client classifies and counts:
     * a retry, a backoff, a pause of the account; a dead letter is allowed, not required.
     */
    COUNTED,
    /**
     * The body is the account's exact state but something around it is off (a header, a byte order
     * mark, an encoding): published as that state, or dead-lettered; never silently lost.
     */
    STATE_OR_DEAD_LETTER
  }

  /** What the answer is rendered from: the account's state and the server clock. */
  public record Context(AccountState state, long serverMillis, Duration drip) {}

  /** Renders the answer; headers it sets win over the simulator's {@code Date} and weight. */
  @FunctionalInterface
  public interface Renderer {
    HttpResponse render(Context context);
  }

  public HttpResponse render(Context context) {
    return renderer.render(context);
  }
}
