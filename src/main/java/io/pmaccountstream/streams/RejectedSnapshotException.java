package io.pmaccountstream.streams;

import io.pmaccountstream.derivation.AccountFold;

/**
 * The {@link AccountFold} rejected a record: thrown by {@link DeriveProcessor} so that {@link
 * DeadLetterProcessingHandler}, which sees the record's original bytes, dead-letters and skips it.
 */
final class RejectedSnapshotException extends RuntimeException {

  private final AccountFold.Rejection rejection;

  RejectedSnapshotException(AccountFold.Rejection rejection) {
    super(rejection.toString(), null, false, false);
    this.rejection = rejection;
  }

  AccountFold.Rejection rejection() {
    return rejection;
  }
}
