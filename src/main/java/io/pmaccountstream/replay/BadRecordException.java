package io.pmaccountstream.replay;

/**
 * One history record cannot be read as a snapshot: not Confluent wire format, a schema id the
 * registry does not know, bytes that do not decode. The record is counted and skipped.
 */
public final class BadRecordException extends RuntimeException {

  public BadRecordException(String message) {
    super(message);
  }

  public BadRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
