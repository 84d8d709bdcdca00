package io.pmaccountstream.streams;

import io.pmaccountstream.avro.AccountSnapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time of a snapshot is its {@code observedAt}, whatever timestamp its producer set; a record
 * that is not a snapshot (a tombstone) keeps its own timestamp, or the partition time if that is
 * invalid, so it reaches the processor that counts and skips it instead of failing the app.
 */
final class ObservedAtTimestampExtractor implements TimestampExtractor {

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof AccountSnapshot snapshot) {
      return snapshot.getObservedAt().toEpochMilli();
    }
    return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0);
  }
}
