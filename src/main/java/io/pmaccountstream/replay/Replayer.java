package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.AccountFold.Derived;
import io.pmaccountstream.derivation.AccountFold.Rejected;
import io.pmaccountstream.derivation.AccountFold.Rejection;
import io.pmaccountstream.derivation.Deriver;
import io.pmaccountstream.streams.RecordFailures;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Runs history through the derivation: the warm-up part only to rebuild each account's state, the
 * requested range also to its outputs.
 *
 * <p>The derivation is {@link AccountFold}, the same fold the live Kafka Streams processor runs,
 * fed in the same order (each partition in offset order, see {@link PartitionMergeReader}), with a
 * state per account held in memory the way the processor holds it in its store. Records the live
 * topology dead-letters (undecodable, rejected by the fold, failing in the derivation) are skipped
 * and reported here with the same reasons ({@link RecordFailures}). With the live configuration and
 * a warm-up from the beginning of the topic, the events are therefore the live events: same event
 * ids, same field values. Memory grows with the number of accounts, never with the length of the
 * history.
 */
public final class Replayer {

  private final SnapshotStream stream;
  private final AccountFold fold;
  private final AccountFold.States states = AccountFold.States.inMemory();
  private final AccountFold.Events output;
  private final Optional<BreachSummaryCollector> summary;
  private final BadRecords badRecords;
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
    this.fold = new AccountFold(deriver);
    this.output = new CountingEvents(sink);
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
    AccountFold.Step step;
    try {
      step =
          fold.apply(
              read.key(), snapshot, states, read.inRange() ? output : AccountFold.Events.none());
    } catch (ReplayException e) {
      throw e; // the sink failed: not the record's fault
    } catch (RuntimeException e) {
      Rejection bad = RecordFailures.unprocessable(e).orElseThrow(() -> e);
      badRecords.add(read.topic(), read.partition(), read.offset(), bad.reason(), bad.detail());
      return;
    }
    if (step instanceof Rejected rejected) {
      Rejection bad = rejected.rejection();
      badRecords.add(read.topic(), read.partition(), read.offset(), bad.reason(), bad.detail());
      return;
    }
    if (!read.inRange()) {
      warmUp++;
      return;
    }
    Derived derived = (Derived) step;
    inRange++;
    seenInRange.add(snapshot.getAccountId());
    if (derived.derivation().stale()) {
      stale++;
    }
    if (summary.isPresent()) {
      summary.get().observe(snapshot, derived.previous(), derived.derivation());
    }
  }

  /** Passes the events of the range to the sink, counting them. */
  private final class CountingEvents implements AccountFold.Events {
    private final EventSink sink;

    CountingEvents(EventSink sink) {
      this.sink = sink;
    }

    @Override
    public void transition(AccountStatusTransition transition) {
      sink.transition(transition);
      transitions++;
    }

    @Override
    public void levelEvent(UniMmrLevelEvent event) {
      sink.levelEvent(event);
      levelEvents++;
    }
  }
}
