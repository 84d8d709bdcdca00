package io.pmaccountstream.replay;

import io.pmaccountstream.streams.RecordFailures;

/**
 * One history record cannot be read as a snapshot: not Confluent wire format, a schema id the
 * registry does not know, bytes that do not decode. The record is counted and skipped, as the live
 * topology dead-letters and skips it (the kinds are {@link RecordFailures}'s).
 */
public final class BadRecordException extends RuntimeException {

  /** Kinds the end-of-run report counts by. */
  public static final String NOT_FRAMED = RecordFailures.NOT_FRAMED;

  public static final String UNKNOWN_SCHEMA_ID = RecordFailures.UNKNOWN_SCHEMA_ID;
  public static final String UNDECODABLE = RecordFailures.UNDECODABLE;

  private final String kind;
  private final String detail;

  /**
   * @param kind what is wrong, the same text for every record with the problem (the report counts
   *     by it)
   * @param detail this record's specifics
   */
  public BadRecordException(String kind, String detail, Throwable cause) {
    super(kind + ": " + detail, cause);
    this.kind = kind;
    this.detail = detail;
  }

  public String kind() {
    return kind;
  }

  /** This record's specifics (may be empty). */
  public String detail() {
    return detail;
  }
}
