package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;

/**
 * Turns a record value of the snapshot topic into an {@link AccountSnapshot}.
 *
 * <p>Implementations separate a bad record from a failing dependency: bytes that are not a readable
 * snapshot throw {@link BadRecordException} (counted, skipped), while a schema registry that cannot
 * be reached throws anything else (the replay stops: every following record would fail the same
 * way).
 */
@FunctionalInterface
public interface SnapshotDecoder {

  /**
   * @throws BadRecordException when the value is not a readable snapshot
   */
  AccountSnapshot decode(String topic, byte[] value);
}
