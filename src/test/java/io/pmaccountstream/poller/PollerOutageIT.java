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
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The broker goes away for more than 10 s while the poller keeps polling. */
class PollerOutageIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.dedicated();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  @TempDir Path dir;

  @Test
  void conflatesWhileTheBrokerIsDownAndPublishesTheLatestStateWhenItReturns() throws Exception {
    kafka.assumeRestartable();
    String topic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 1);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (BinancePmSimulator sim =
        BinancePmSimulator.builder()
            .scenario("calm")
            .accounts(1)
            .seed(3)
            .faults(FaultConfig.none())
            .build()
            .start()) {
      SimulatedAccount account = sim.accounts().get(0);
      account.set("2.00000000");
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
                      KafkaBrokerExtension.uniqueTopic("dlq"))),
              meters);
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> published(meters) >= 1);

        kafka.stopBroker();
        long requestsAtStop = account.requestCount();
        long start = System.nanoTime();
        for (int i = 1; i <= 10; i++) {
          account
              .set(new BigDecimal("2.00000000").subtract(new BigDecimal(i).movePointLeft(2)))
              .served()
              .get();
          Thread.sleep(1_000); // the outage lasts at least 10 s, by design of the test
        }
        Duration outage = Duration.ofNanos(System.nanoTime() - start);
        long requestsDuringOutage = account.requestCount() - requestsAtStop;
        kafka.restartBroker();

        await().atMost(Duration.ofSeconds(90)).until(() -> app.unsent() == 0);
        assertThat(app.shutdown(Duration.ofSeconds(20))).isZero();

        assertThat(outage).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(requestsDuringOutage)
            .as("the HTTP schedule (100 ms) went on while the broker was down")
            .isGreaterThan(outage.toMillis() / 100 / 2);
        Counter conflated = meters.find("pmas.snapshots").tag("outcome", "conflated").counter();
        assertThat(conflated).isNotNull();
        assertThat(conflated.count()).isGreaterThan(0);

        List<AccountSnapshot> snapshots;
        try (KafkaConsumer<String, AccountSnapshot> consumer =
            PollerFixture.snapshotConsumer(kafka.bootstrapServers(), registry.url())) {
          snapshots =
              PollerFixture.readAll(consumer, topic).stream().map(ConsumerRecord::value).toList();
        }
        assertThat(snapshots)
            .extracting(AccountSnapshot::getSequence)
            .isSorted()
            .doesNotHaveDuplicates();
        assertThat(snapshots.get(snapshots.size() - 1).getUniMMR())
            .as("the latest state survives the outage")
            .isEqualByComparingTo("1.90");
        assertThat(snapshots.size())
            .as("bounded: far fewer records than changes plus polls")
            .isLessThan(12);
      } finally {
        app.shutdown(Duration.ofSeconds(5));
      }
    }
  }

  private static double published(SimpleMeterRegistry meters) {
    Counter c = meters.find("pmas.snapshots").tag("outcome", "published").counter();
    return c == null ? 0 : c.count();
  }
}
