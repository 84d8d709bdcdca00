package io.pmaccountstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.testing.InMemorySchemaRegistry;
import io.pmaccountstream.testing.TestSnapshots;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the names of every node, the store and the changelog: renaming any of them in a running
 * deployment orphans the state, so such a change must be deliberate (and fail here first).
 */
class DerivationTopologyDescribeTest {

  private static final String PINNED =
      """
      Topologies:
         Sub-topology: 0
          Source: snapshots-source (topics: [pm.account.snapshots])
            --> derive-account-events
          Processor: derive-account-events (stores: [account-derivation-state])
            --> latest-sink, low-unimmr-sink, status-transitions-sink
            <-- snapshots-source
          Sink: latest-sink (topic: pm.account.latest)
            <-- derive-account-events
          Sink: low-unimmr-sink (topic: pm.account.low-unimmr)
            <-- derive-account-events
          Sink: status-transitions-sink (topic: pm.account.status-transitions)
            <-- derive-account-events
      """;

  @TempDir Path stateDir;

  private final DerivationSerdes serdes = DerivationSerdes.create(new InMemorySchemaRegistry());
  private final Topology topology = DerivationTopology.build(TopologyConfig.defaults(), serdes);

  @Test
  void pinsNodeStoreAndTopicNames() {
    assertThat(topology.describe().toString().strip()).isEqualTo(PINNED.strip());
  }

  @Test
  void pinsTheNameConstants() {
    assertThat(DerivationTopology.SOURCE).isEqualTo("snapshots-source");
    assertThat(DerivationTopology.PROCESSOR).isEqualTo("derive-account-events");
    assertThat(DerivationTopology.STORE).isEqualTo("account-derivation-state");
    assertThat(DerivationTopology.changelogTopic("pm-account-stream-derive"))
        .isEqualTo("pm-account-stream-derive-account-derivation-state-changelog");
  }

  @Test
  void writesTheStoreToItsPinnedChangelogAndNoOtherInternalTopic() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "pinned-app");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
      TestInputTopic<String, io.pmaccountstream.avro.AccountSnapshot> input =
          driver.createInputTopic(
              "pm.account.snapshots", Serdes.String().serializer(), serdes.snapshot().serializer());
      input.pipeInput("acct-1", TestSnapshots.of("acct-1").uniMmr("1.1").at(0));

      assertThat(driver.producedTopicNames())
          .containsExactlyInAnyOrder(
              "pm.account.status-transitions",
              "pm.account.low-unimmr",
              "pm.account.latest",
              "pinned-app-account-derivation-state-changelog");
    }
  }
}
