package io.pmaccountstream.poller;

/** When a successful poll becomes a published snapshot. */
public enum EmissionPolicy {
  /** When any field other than poll metadata changed, and at least once per heartbeat interval. */
  CHANGES,
  /** Every successful response. */
  EVERY_POLL
}
