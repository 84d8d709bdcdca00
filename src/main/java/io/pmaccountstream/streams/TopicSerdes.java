package io.pmaccountstream.streams;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic with the serdes of its keys and values.
 *
 * @param <K> key type
 * @param <V> value type
 */
public record TopicSerdes<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

  public TopicSerdes {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
  }
}
