package io.pmaccountstream.streams;

/** The derive app cannot start: a topic is missing or misconfigured, the cluster did not answer. */
public final class DeriveStartupException extends RuntimeException {

  public DeriveStartupException(String message) {
    super(message);
  }

  public DeriveStartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
