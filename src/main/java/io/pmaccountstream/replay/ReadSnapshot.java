package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;

/**
 * A decoded snapshot with where it was read from.
 *
 * @param snapshot the snapshot
 * @param topic its topic
 * @param partition its partition
 * @param offset its offset
 * @param inRange whether it lies in the requested range (false: warm-up)
 * @param keyIsAccountId whether the record is keyed by the snapshot's account id, as every record
 *     the poller writes is (the live topology skips the others)
 */
record ReadSnapshot(
    AccountSnapshot snapshot,
    String topic,
    int partition,
    long offset,
    boolean inRange,
    boolean keyIsAccountId) {}
