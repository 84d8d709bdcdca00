package io.pmaccountstream.streams;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.AccountFold.Derived;
import io.pmaccountstream.derivation.AccountFold.Rejected;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Moves records and state around the {@link AccountFold}: the fold reads and writes the account's
 * state in the store and hands each event back to be forwarded to its sink, with the snapshot's
 * observedAt as timestamp. The decisions are all the fold's. A snapshot observed before {@link
 * EmitFrom} updates the state like any other but emits nothing (warm-up).
 *
 * <p>A record the fold rejects is thrown as a {@link RejectedSnapshotException}, which {@link
 * DeadLetterProcessingHandler} dead-letters with the record's original bytes and skips.
 */
final class DeriveProcessor implements Processor<String, AccountSnapshot, String, Object> {

  private static final Logger log = LoggerFactory.getLogger(DeriveProcessor.class);

  private final AccountFold fold;
  private final String storeName;
  private final EmitFrom emitFrom;
  private ProcessorContext<String, Object> context;
  private DeriveMetrics metrics;
  private AccountFold.States states;

  DeriveProcessor(AccountFold fold, String storeName, EmitFrom emitFrom) {
    this.fold = fold;
    this.storeName = storeName;
    this.emitFrom = emitFrom;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.metrics = DeriveMetrics.register(context.metrics(), context.taskId().toString());
    this.states = storeStates(context.getStateStore(storeName));
  }

  /** The fold's view of a key-value store. */
  static AccountFold.States storeStates(KeyValueStore<String, AccountDerivationState> store) {
    return new AccountFold.States() {
      @Override
      public AccountDerivationState get(String accountId) {
        return store.get(accountId);
      }

      @Override
      public void put(String accountId, AccountDerivationState state) {
        store.put(accountId, state);
      }
    };
  }

  @Override
  public void process(Record<String, AccountSnapshot> record) {
    AccountSnapshot snapshot = record.value();
    boolean emits = emitFrom.emits(snapshot);
    AccountFold.Events events = emits ? new Forwarder(record) : AccountFold.Events.none();
    AccountFold.Step step = fold.apply(record.key(), snapshot, states, events);
    if (step instanceof Rejected rejected) {
      metrics.skipped().record();
      throw new RejectedSnapshotException(rejected.rejection());
    }
    if (!emits) {
      metrics.heldBack().record();
    }
    if (((Derived) step).derivation().stale()) {
      metrics.stale().record();
      if (log.isDebugEnabled()) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("accountId", record.key())) {
          log.debug(
              "Ignored stale snapshot updateTime={} observedAt={}",
              snapshot.getUpdateTime(),
              snapshot.getObservedAt());
        }
      }
    }
  }

  /** Forwards the events of one snapshot, keyed by its account, at its observedAt. */
  private final class Forwarder implements AccountFold.Events {
    private final String key;
    private final long timestamp;

    Forwarder(Record<String, AccountSnapshot> record) {
      this.key = record.key();
      this.timestamp =
          record.value() == null
              ? record.timestamp()
              : record.value().getObservedAt().toEpochMilli();
    }

    @Override
    public void transition(AccountStatusTransition transition) {
      metrics.transitions().record();
      forward(transition, DerivationTopology.TRANSITIONS_SINK);
    }

    @Override
    public void levelEvent(UniMmrLevelEvent event) {
      metrics.levelEvents().record();
      forward(event, DerivationTopology.LOW_UNIMMR_SINK);
    }

    @Override
    public void accepted(AccountSnapshot snapshot) {
      forward(snapshot, DerivationTopology.LATEST_SINK);
    }

    private void forward(Object value, String sink) {
      context.forward(new Record<>(key, value, timestamp), sink);
    }
  }

  @Override
  public void close() {
    if (metrics != null) {
      metrics.remove();
    }
  }
}
