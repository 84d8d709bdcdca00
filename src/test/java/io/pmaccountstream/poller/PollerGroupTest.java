package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollerGroupTest {

  private static final String TOPIC = "assignment";
  private static final int PARTITIONS = 4;
  private static final List<String> ACCOUNTS =
      IntStream.rangeClosed(1, 30).mapToObj(i -> "acct-" + i).toList();

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("latest");
  private final Set<String> owned = ConcurrentHashMap.newKeySet();
  private final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private PollerGroup group;
  private volatile boolean failTake;

  @AfterEach
  void close() {
    if (group != null) {
      group.close(Duration.ofSeconds(5));
    }
  }

  private void start() {
    Node node = new Node(0, "localhost", 9092);
    List<PartitionInfo> partitions = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node}));
    }
    consumer.updatePartitions(TOPIC, partitions);
    java.util.Map<TopicPartition, Long> ends = new java.util.HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      ends.put(new TopicPartition(TOPIC, p), 0L);
    }
    consumer.updateEndOffsets(ends);
    group =
        new PollerGroup(
            consumer,
            TOPIC,
            ACCOUNTS,
            new PollerGroup.Ownership() {
              @Override
              public void take(Set<String> accounts) {
                events.add("take " + new TreeSet<>(accounts));
                if (failTake) {
                  throw new IllegalStateException("a take-over that fails");
                }
                owned.addAll(accounts);
              }

              @Override
              public void give(Set<String> accounts) {
                events.add("give " + new TreeSet<>(accounts));
                owned.removeAll(accounts);
              }
            },
            Duration.ofMinutes(1),
            Duration.ofSeconds(1),
            meters);
    group.start();
  }

  private static Set<String> accountsOf(int... partitions) {
    Set<String> accounts = new TreeSet<>();
    for (String account : ACCOUNTS) {
      int p = AccountPartitions.partitionFor(account, PARTITIONS);
      if (IntStream.of(partitions).anyMatch(q -> q == p)) {
        accounts.add(account);
      }
    }
    return accounts;
  }

  private void rebalance(int... partitions) {
    List<TopicPartition> assignment =
        IntStream.of(partitions).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
    // on the group thread, inside poll(), as a real rebalance
    consumer.schedulePollTask(() -> consumer.rebalance(assignment));
  }

  @Test
  void pollsExactlyTheAccountsOfItsPartitionsAndMovesOnlyWhatARebalanceMoves() {
    start();

    rebalance(0, 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> owned.equals(accountsOf(0, 1)));
    assertThat(group.owned()).isEqualTo(accountsOf(0, 1));

    rebalance(1, 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> owned.equals(accountsOf(1, 2)));
    assertThat(events)
        .containsExactly(
            "take " + accountsOf(0, 1), "give " + accountsOf(0), "take " + accountsOf(2));
    assertThat(meters.get("pmas.poller.group.accounts").gauge().value())
        .isEqualTo(accountsOf(1, 2).size());
    assertThat(group.stalled()).isEmpty();
  }

  @Test
  void accountsWhoseTakeOverFailedStillCountAsOwnedSoThatTheyShowAsStale() {
    failTake = true;
    start();

    rebalance(0);
    await().atMost(Duration.ofSeconds(5)).until(() -> group.owned().equals(accountsOf(0)));

    assertThat(meters.counter("pmas.loop.errors", "loop", "poller-group").count()).isEqualTo(1);
    assertThat(group.stalled()).isEmpty();
  }

  @Test
  void closingGivesUpEveryAccountStillOwned() {
    start();
    rebalance(0, 1, 2, 3);
    await().atMost(Duration.ofSeconds(5)).until(() -> owned.size() == ACCOUNTS.size());

    group.close(Duration.ofSeconds(5));

    assertThat(owned).isEmpty();
    assertThat(group.owned()).isEmpty();
    assertThat(group.stalled()).as("a loop ended on purpose").isEmpty();
  }
}
