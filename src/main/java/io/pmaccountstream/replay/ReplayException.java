package io.pmaccountstream.replay;

/**
 * A replay or export cannot go on: the topic is missing, the broker stopped answering, an output
 * cannot be written. (Bad records are not this: they are counted and skipped.)
 */
public final class ReplayException extends RuntimeException {

  public ReplayException(String message) {
    super(message);
  }

  public ReplayException(String message, Throwable cause) {
    super(message, cause);
  }
}
