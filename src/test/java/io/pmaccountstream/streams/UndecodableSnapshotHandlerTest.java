package io.pmaccountstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.SchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryException;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import io.pmaccountstream.testing.TestSnapshots;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UndecodableSnapshotHandlerTest {

  @TempDir Path stateDir;

  private final InMemorySchemaRegistry memory = new InMemorySchemaRegistry();
  private volatile boolean registryDown;
  private final SchemaRegistryClient registry =
      new SchemaRegistryClient() {
        @Override
        public int register(String subject, Schema schema) {
          return memory.register(subject, schema);
        }

        @Override
        public Schema schemaById(int id) {
          if (registryDown) {
            throw SchemaRegistryException.unreachable(
                "fetch schema id " + id, "http://127.0.0.1:1", new ConnectException("refused"));
          }
          return memory.schemaById(id);
        }

        @Override
        public void close() {}
      };

  private final DerivationSerdes serdes = DerivationSerdes.create(registry);
  private final DerivationTopics topics = DerivationTopics.of(Topics.defaults(), serdes);
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> raw;
  private TestInputTopic<String, AccountSnapshot> snapshots;
  private TestOutputTopic<String, AccountStatusTransition> transitions;

  private void start() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "undecodable-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        UndecodableSnapshotHandler.class.getName());
    driver =
        new TopologyTestDriver(DerivationTopology.build(TopologyConfig.defaults(), serdes), props);
    raw =
        driver.createInputTopic(
            topics.snapshots().name(), new StringSerializer(), new ByteArraySerializer());
    snapshots =
        driver.createInputTopic(
            topics.snapshots().name(),
            topics.snapshots().keySerde().serializer(),
            topics.snapshots().valueSerde().serializer());
    transitions =
        driver.createOutputTopic(
            topics.statusTransitions().name(),
            topics.statusTransitions().keySerde().deserializer(),
            topics.statusTransitions().valueSerde().deserializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  private double droppedRecords() {
    return driver.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals("dropped-records-total"))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .sum();
  }

  @Test
  void skipsRecordsThatAreNotConfluentFramedAndKeepsGoing() {
    start();

    raw.pipeInput("acct-1", "{\"uniMMR\":\"1.2\"}".getBytes());
    raw.pipeInput("acct-1", new byte[] {0, 0, 0});
    snapshots.pipeInput("acct-1", TestSnapshots.of("acct-1").at(0));

    assertThat(droppedRecords()).isEqualTo(2.0);
    assertThat(transitions.readValuesToList()).hasSize(1);
  }

  @Test
  void skipsAFramedRecordWhoseBytesDoNotMatchItsSchema() {
    start();
    snapshots.pipeInput("acct-1", TestSnapshots.of("acct-1").at(0));
    int id = memory.register("pm.account.snapshots-value", AccountSnapshot.getClassSchema());

    raw.pipeInput("acct-1", ByteBuffer.allocate(7).put((byte) 0).putInt(id).put((byte) 99).array());

    assertThat(droppedRecords()).isEqualTo(1.0);
  }

  @Test
  void failsInsteadOfSkippingWhenTheRegistryIsUnreachable() {
    byte[] valid =
        DerivationSerdes.create(memory)
            .snapshot()
            .serializer()
            .serialize(topics.snapshots().name(), TestSnapshots.of("acct-1").at(0));
    registryDown = true;
    start();

    assertThatThrownBy(() -> raw.pipeInput("acct-1", valid))
        .isInstanceOf(StreamsException.class)
        .hasRootCauseInstanceOf(ConnectException.class);
  }

  @Test
  void failsInsteadOfSkippingWhenTheSchemaIdIsUnknown() {
    start();

    assertThatThrownBy(
            () ->
                raw.pipeInput(
                    "acct-1",
                    ByteBuffer.allocate(6).put((byte) 0).putInt(4242).put((byte) 2).array()))
        .isInstanceOf(StreamsException.class)
        .hasStackTraceContaining("Unknown schema id");
  }
}
