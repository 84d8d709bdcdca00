package io.pmaccountstream.replay;

/**
 * What a replay or export did, for the end-of-run report on stderr.
 *
 * @param recordsRead records read, warm-up included
 * @param warmUpRecords records read before {@code --from} to rebuild state (no output)
 * @param rangeRecords snapshots of the range that reached the derivation (or the export file)
 * @param otherAccounts records skipped by {@code --accounts}
 * @param staleInRange snapshots of the range the derivation ignored as stale
 * @param transitions status transitions written
 * @param levelEvents uniMMR level events written
 * @param accounts accounts with at least one snapshot in the range
 * @param badRecords records that could not be read
 */
public record ReplayReport(
    long recordsRead,
    long warmUpRecords,
    long rangeRecords,
    long otherAccounts,
    long staleInRange,
    long transitions,
    long levelEvents,
    int accounts,
    BadRecords badRecords) {}
