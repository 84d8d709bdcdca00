package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.Derivation;
import io.pmaccountstream.derivation.Deriver;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs history through the derivation: the warm-up part only to rebuild each account's state, the
 * requested range also to its outputs.
 *
 * <p>The derivation is {@link Deriver}, the same code the live Kafka Streams processor calls, fed
 * in the same order (each partition in offset order, see {@link PartitionMergeReader}), with a
 * state per account held in memory the way the processor holds it in its store. With the live
 * configuration and a warm-up from the beginning of the topic, the events are therefore the live
 * events: same event ids, same field values. Memory grows with the number of accounts, never with
 * the length of the history.
 */
public final class Replayer {

  /** Why a record whose key is not its snapshot's account id is skipped. */
  static final String KEY_MISMATCH =
      "key is not the snapshot's accountId (the live topology skips it too)";

  private final SnapshotStream stream;
  private final Deriver deriver;
  private final EventSink sink;
  private final Optional<BreachSummaryCollector> summary;
  private final BadRecords badRecords;
  private final Map<String, AccountDerivationState> states = new HashMap<>();
  private final Set<String> seenInRange = new HashSet<>();
  private long warmUp;
  private long inRange;
  private long stale;
  private long transitions;
  private long levelEvents;

  public Replayer(
      PartitionMergeReader reader,
      SnapshotDecoder decoder,
      AccountFilter filter,
      Deriver deriver,
      EventSink sink,
      Optional<BreachSummaryCollector> summary,
      ProgressReporter progress) {
    this.badRecords = new BadRecords();
    this.stream = new SnapshotStream(reader, decoder, filter, badRecords, progress);
    this.deriver = deriver;
    this.sink = sink;
    this.summary = summary;
  }

  /**
   * Reads to the end of the plan; call once. The reading, merging and decoding run on a thread of
   * their own ({@link PrefetchingSnapshots}), the derivation and the sink on the caller's. The sink
   * is left open: its owner closes it, then asks it where the output went.
   */
  public ReplayReport run() {
    try (PrefetchingSnapshots snapshots = new PrefetchingSnapshots(stream, "replay-reader")) {
      ReadSnapshot read;
      while ((read = snapshots.next()) != null) {
        derive(read);
      }
    }
    return new ReplayReport(
        stream.recordsRead(),
        warmUp,
        inRange,
        stream.otherAccounts(),
        stale,
        transitions,
        levelEvents,
        seenInRange.size(),
        badRecords);
  }

  private void derive(ReadSnapshot read) {
    AccountSnapshot snapshot = read.snapshot();
    if (!read.keyIsAccountId()) {
      // The live processor skips such a record before deriving; so must a faithful replay.
      badRecords.add(
          read.topic(),
          read.partition(),
          read.offset(),
          KEY_MISMATCH,
          "accountId " + snapshot.getAccountId());
      return;
    }
    AccountDerivationState previous = states.get(snapshot.getAccountId());
    Derivation derivation = deriver.derive(previous, snapshot);
    if (derivation.accepted()) {
      states.put(snapshot.getAccountId(), derivation.state());
    }
    if (read.inRange()) {
      emit(snapshot, previous, derivation);
    } else {
      warmUp++;
    }
  }

  private void emit(
      AccountSnapshot snapshot, AccountDerivationState previous, Derivation derivation) {
    inRange++;
    seenInRange.add(snapshot.getAccountId());
    if (derivation.stale()) {
      stale++;
    }
    if (derivation.transition().isPresent()) {
      sink.transition(derivation.transition().get());
      transitions++;
    }
    List<UniMmrLevelEvent> events = derivation.levelEvents();
    for (int i = 0, n = events.size(); i < n; i++) {
      sink.levelEvent(events.get(i));
    }
    levelEvents += events.size();
    if (summary.isPresent()) {
      summary.get().observe(snapshot, previous, derivation);
    }
  }
}
