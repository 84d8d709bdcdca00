package io.pmaccountstream.streams;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.kafka.Topics;

/**
 * The one place that pairs each topic of the derivation with its key and value serdes; the
 * topology, the tests and tools reading the outputs all take them from here.
 *
 * @param snapshots input: account snapshots keyed by accountId
 * @param statusTransitions output: status transitions keyed by accountId
 * @param lowUniMmr output: uniMMR level events keyed by accountId
 * @param latest output (compacted): the latest accepted snapshot per accountId
 */
public record DerivationTopics(
    TopicSerdes<String, AccountSnapshot> snapshots,
    TopicSerdes<String, AccountStatusTransition> statusTransitions,
    TopicSerdes<String, UniMmrLevelEvent> lowUniMmr,
    TopicSerdes<String, AccountSnapshot> latest) {

  public static DerivationTopics of(Topics topics, DerivationSerdes serdes) {
    return new DerivationTopics(
        new TopicSerdes<>(topics.snapshots(), serdes.key(), serdes.snapshot()),
        new TopicSerdes<>(topics.statusTransitions(), serdes.key(), serdes.transition()),
        new TopicSerdes<>(topics.lowUniMmr(), serdes.key(), serdes.levelEvent()),
        new TopicSerdes<>(topics.latest(), serdes.key(), serdes.snapshot()));
  }
}
