package io.pmaccountstream.streams;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.serde.ConfluentAvroSerde;
import io.pmaccountstream.serde.SchemaRegistryClient;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The serdes of the derivation: String keys (accountId) and Confluent-wire Avro values registered
 * under TopicNameStrategy subjects ({@code <topic>-value}), the state store's value included (its
 * subject is {@code <changelog topic>-value}).
 */
public record DerivationSerdes(
    Serde<String> key,
    Serde<AccountSnapshot> snapshot,
    Serde<AccountStatusTransition> transition,
    Serde<UniMmrLevelEvent> levelEvent,
    Serde<AccountDerivationState> state) {

  /** Serdes that register and look up schemas through {@code registry}. */
  public static DerivationSerdes create(SchemaRegistryClient registry) {
    return new DerivationSerdes(
        Serdes.String(),
        value(new ConfluentAvroSerde<>(registry, AccountSnapshot.class)),
        value(new ConfluentAvroSerde<>(registry, AccountStatusTransition.class)),
        value(new ConfluentAvroSerde<>(registry, UniMmrLevelEvent.class)),
        value(new ConfluentAvroSerde<>(registry, AccountDerivationState.class)));
  }

  private static <T> Serde<T> value(Serde<T> serde) {
    serde.configure(Map.of(), false);
    return serde;
  }
}
