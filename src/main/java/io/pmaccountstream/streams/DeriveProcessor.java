package io.pmaccountstream.streams;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.Derivation;
import io.pmaccountstream.derivation.Deriver;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Moves records and state around the {@link Deriver}: reads the account's state, derives, stores
 * the new state and forwards each event to its sink with the snapshot's observedAt as timestamp.
 * The decisions are all the Deriver's.
 */
final class DeriveProcessor implements Processor<String, AccountSnapshot, String, Object> {

  private static final Logger log = LoggerFactory.getLogger(DeriveProcessor.class);

  private final Deriver deriver;
  private final String storeName;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, AccountDerivationState> store;
  private DeriveMetrics metrics;

  DeriveProcessor(Deriver deriver, String storeName) {
    this.deriver = deriver;
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    this.metrics = DeriveMetrics.register(context.metrics(), context.taskId().toString());
  }

  @Override
  public void process(Record<String, AccountSnapshot> record) {
    String accountId = record.key();
    AccountSnapshot snapshot = record.value();
    if (!Deriver.isKeyedByItsAccount(accountId, snapshot)) {
      skip(record);
      return;
    }
    Derivation derivation = deriver.derive(store.get(accountId), snapshot);
    if (derivation.stale()) {
      metrics.stale().record();
      if (log.isDebugEnabled()) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("accountId", accountId)) {
          log.debug(
              "Ignored stale snapshot updateTime={} observedAt={}",
              snapshot.getUpdateTime(),
              snapshot.getObservedAt());
        }
      }
      return;
    }
    store.put(accountId, derivation.state());
    long timestamp = snapshot.getObservedAt().toEpochMilli();
    derivation
        .transition()
        .ifPresent(
            t -> {
              metrics.transitions().record();
              forward(accountId, t, timestamp, DerivationTopology.TRANSITIONS_SINK);
            });
    List<UniMmrLevelEvent> levelEvents = derivation.levelEvents();
    for (int i = 0; i < levelEvents.size(); i++) {
      metrics.levelEvents().record();
      forward(accountId, levelEvents.get(i), timestamp, DerivationTopology.LOW_UNIMMR_SINK);
    }
    forward(accountId, snapshot, timestamp, DerivationTopology.LATEST_SINK);
  }

  private void forward(String key, Object value, long timestamp, String sink) {
    context.forward(new Record<>(key, value, timestamp), sink);
  }

  private void skip(Record<String, AccountSnapshot> record) {
    metrics.skipped().record();
    String valueAccount = record.value() == null ? null : record.value().getAccountId();
    log.warn(
        "Skipped a snapshot record whose key is not its accountId (key={}, accountId={}, {})",
        record.key(),
        valueAccount,
        context
            .recordMetadata()
            .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
            .orElse("?"));
  }

  @Override
  public void close() {
    if (metrics != null) {
      metrics.remove();
    }
  }
}
