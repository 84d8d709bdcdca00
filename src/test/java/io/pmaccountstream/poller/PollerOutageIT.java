package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.SimulatedAccount;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The broker goes away twice while the poller keeps polling: no state of the history is lost. */
class PollerOutageIT {

  private static final Duration OUTAGE = Duration.ofSeconds(7);
  private static final Duration BETWEEN_STATES = Duration.ofMillis(250);

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.dedicated();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  @TempDir Path dir;

  @Test
  void everyStateServedDuringTwoBrokerOutagesIsPublishedInOrderWithNothingConflated()
      throws Exception {
    kafka.assumeRestartable();
    String topic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 1);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (BinancePmSimulator sim =
        BinancePmSimulator.builder()
            .scenario("calm")
            .accounts(2)
            .seed(3)
            .faults(FaultConfig.none())
            .build()
            .start()) {
      SimulatedAccount account = sim.accounts().get(0);
      List<BigDecimal> served = new ArrayList<>();
      BigDecimal first = new BigDecimal("2.00000000");
      account.set(first);
      served.add(first);
      PollerApp app =
          PollerFixture.start(
              PollerFixture.settings(
                  sim,
                  dir.resolve("credentials.properties"),
                  kafka.bootstrapServers(),
                  registry.url(),
                  Map.of(
                      "topic.snapshots",
                      topic,
                      "topic.dlq",
                      KafkaBrokerExtension.uniqueTopic("dlq"),
                      // Short enough that sends fail during each outage: the publisher's own
                      // re-send path (head of the lane first) is what keeps the order here.
                      "kafka.request.timeout.ms",
                      "2000",
                      "kafka.delivery.timeout.ms",
                      "3000")),
              meters);
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> published(meters) >= 1);

        for (int outage = 0; outage < 2; outage++) {
          serveNewStates(account, served, Duration.ofSeconds(1));
          kafka.stopBroker();
          serveNewStates(account, served, OUTAGE);
          kafka.restartBroker();
        }
        serveNewStates(account, served, Duration.ofSeconds(1));

        BigDecimal last = served.get(served.size() - 1);
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> app.unsent() == 0 && app.poller().isHealthy(account.id()));
        assertThat(app.shutdown(Duration.ofSeconds(20))).isZero();

        List<AccountSnapshot> snapshots;
        try (KafkaConsumer<String, AccountSnapshot> consumer =
            PollerFixture.snapshotConsumer(kafka.bootstrapServers(), registry.url())) {
          snapshots =
              PollerFixture.readAll(consumer, topic).stream()
                  .map(ConsumerRecord::value)
                  .filter(s -> s.getAccountId().equals(account.id()))
                  .toList();
        }
        assertThat(snapshots)
            .extracting(AccountSnapshot::getSequence)
            .as("in order, no duplicates, no gaps")
            .doesNotHaveDuplicates()
            .isSorted();
        assertThat(
                snapshots.get(snapshots.size() - 1).getSequence() - snapshots.get(0).getSequence())
            .isEqualTo(snapshots.size() - 1L);
        assertThat(snapshots.stream().map(AccountSnapshot::getUniMMR).distinct().toList())
            .as("every state served, outages included, in the order served")
            .containsExactlyElementsOf(served);
        // A floor for the check to mean something (states served before, during and after two
        // outages), not a speed figure: a loaded 2-core machine serves ~45-70 in these 17 s.
        assertThat(served).hasSizeGreaterThan(25).last().isEqualTo(last);
        assertThat(meters.find("pmas.snapshots.conflated").counters())
            .as("below the buffer bound nothing is conflated")
            .isEmpty();
        assertThat(meters.find("pmas.snapshots").tag("outcome", "send_failed").counters())
            .as("the outages were real: sends failed and were retried")
            .isNotEmpty();
        assertThat(meters.find("pmas.snapshots").tag("outcome", "dead_lettered").counters())
            .isEmpty();
      } finally {
        app.shutdown(Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void shutdownEndsWithinItsTimeoutWhileTheBrokerIsAway() throws Exception {
    kafka.assumeRestartable();
    String topic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 1);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (BinancePmSimulator sim =
        BinancePmSimulator.builder()
            .scenario("calm")
            .accounts(2)
            .seed(5)
            .faults(FaultConfig.none())
            .build()
            .start()) {
      PollerApp app =
          PollerFixture.start(
              PollerFixture.settings(
                  sim,
                  dir.resolve("credentials.properties"),
                  kafka.bootstrapServers(),
                  registry.url(),
                  Map.of(
                      "topic.snapshots",
                      topic,
                      "topic.dlq",
                      KafkaBrokerExtension.uniqueTopic("dlq"),
                      "poll.emit",
                      "every-poll")),
              meters);
      boolean stopped = false;
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> published(meters) >= 1);
        kafka.stopBroker();
        stopped = true;
        await().atMost(Duration.ofSeconds(30)).until(() -> app.unsent() >= 10);

        long start = System.nanoTime();
        int unsent = app.shutdown(Duration.ofSeconds(3));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(unsent).as("the broker is away: what could not be sent is counted").isPositive();
        assertThat(took)
            .as("SIGTERM ends within poll.shutdown.timeout")
            .isLessThan(Duration.ofSeconds(5));
      } finally {
        app.shutdown(Duration.ofSeconds(1));
        if (stopped) {
          kafka.restartBroker();
        }
      }
    }
  }

  /** Serves a new state every 250 ms for the given time, waiting until each one was served. */
  private static void serveNewStates(
      SimulatedAccount account, List<BigDecimal> served, Duration during) throws Exception {
    long end = System.nanoTime() + during.toNanos();
    while (System.nanoTime() < end) {
      BigDecimal next = served.get(served.size() - 1).subtract(new BigDecimal("0.00100000"));
      account.set(next).served().get();
      served.add(next);
      long pause = Math.min(BETWEEN_STATES.toNanos(), end - System.nanoTime());
      if (pause > 0) {
        // Pacing, by design of the test: the account changes every 250 ms for as long as the
        // phase lasts (nothing to await: time passing is the point).
        Thread.sleep(Duration.ofNanos(pause).toMillis());
      }
    }
  }

  private static double published(SimpleMeterRegistry meters) {
    Counter c = meters.find("pmas.snapshots").tag("outcome", "published").counter();
    return c == null ? 0 : c.count();
  }
}
