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
 * @param key the record's key as the live topology reads it (UTF-8), null when absent; the
 *     derivation rejects a snapshot not keyed by its own accountId, live and in replay
 */
record ReadSnapshot(
    AccountSnapshot snapshot,
    String topic,
    int partition,
    long offset,
    boolean inRange,
    String key) {}
