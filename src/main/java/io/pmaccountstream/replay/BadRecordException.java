package io.pmaccountstream.replay;

/**
 * One history record cannot be read as a snapshot: not Confluent wire format, a schema id the
 * registry does not know, bytes that do not decode. The record is counted and skipped.
 */
public final class BadRecordException extends RuntimeException {

  /** Kinds the end-of-run report counts by. */
  public static final String NOT_FRAMED = "not Confluent wire format";

  public static final String UNKNOWN_SCHEMA_ID = "unknown schema id";
  public static final String UNDECODABLE = "undecodable";

  private final String kind;

  /**
   * @param kind what is wrong, the same text for every record with the problem (the report counts
   *     by it)
   * @param detail this record's specifics
   */
  public BadRecordException(String kind, String detail, Throwable cause) {
    super(kind + ": " + detail, cause);
    this.kind = kind;
  }

  public String kind() {
    return kind;
  }
}
