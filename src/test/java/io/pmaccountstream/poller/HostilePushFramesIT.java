package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.ops.HealthCheck;
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
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Never blind" for the push path: a corpus of hostile user-data frames, sent by the simulator's
 * WebSocket to the real stream client inside a running poller (real broker and registry). Every bad
 * frame is counted and kept in the dead-letter topic with its reason; a well-formed event of a type
 * we do not know asks for a poll like any other; the stream stays on its one connection, no loop
 * throws, polling goes on, and a real risk-level change after the corpus is published and polled as
 * if nothing had happened.
 */
class HostilePushFramesIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NOW = String.valueOf(System.currentTimeMillis());

  @TempDir Path dir;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** A frame and the start of the reason its dead letter must give. */
  record Hostile(String name, String frame, String reason) {}

  static List<Hostile> corpus() {
    String risk =
        "{\"e\":\"riskLevelChange\",\"E\":"
            + NOW
            + ",\"s\":\"MARGIN_CALL\",\"eq\":\"30.5\","
            + "\"ae\":\"30.5\",";
    return List.of(
        new Hostile("empty", "", "the frame is empty"),
        new Hostile("null", "null", "the frame is not a JSON object"),
        new Hostile("array", "[1,2]", "the frame is not a JSON object"),
        new Hostile("truncated", "{\"e\":\"riskLevelChange\"", "the frame is not one JSON object"),
        new Hostile(
            "repeated key",
            "{\"e\":\"ACCOUNT_UPDATE\",\"e\":\"riskLevelChange\",\"E\":" + NOW + "}",
            "the frame is not one JSON object: Duplicate field 'e'"),
        new Hostile(
            "trailing tokens",
            "{\"e\":\"ACCOUNT_UPDATE\",\"E\":" + NOW + "} {}",
            "the frame is not one JSON object"),
        new Hostile(
            "nested 100 deep",
            "{\"e\":\"ACCOUNT_UPDATE\",\"E\":"
                + NOW
                + ",\"a\":"
                + "[".repeat(100)
                + "]".repeat(100)
                + "}",
            "the frame is nested too deeply or too large"),
        new Hostile(
            "2 MiB",
            "{\"e\":\"ACCOUNT_UPDATE\",\"E\":" + NOW + ",\"pad\":\"" + "x".repeat(2 << 20) + "\"}",
            "the frame is longer than 1048576 characters"),
        new Hostile(
            "event time as a string",
            "{\"e\":\"ACCOUNT_UPDATE\",\"E\":\"" + NOW + "\"}",
            "E (event time) is missing or not a JSON integer"),
        new Hostile(
            "event time out of range",
            "{\"e\":\"ACCOUNT_UPDATE\",\"E\":99999999999999999999}",
            "E (event time) is out of range"),
        new Hostile(
            "control character in the type",
            "{\"e\":\"ACCOUNT\\u0000UPDATE\",\"E\":" + NOW + "}",
            "e (event type) is empty, longer than"),
        new Hostile("uniMMR as a number", risk + "\"u\":1.5,\"m\":\"1\"}", "u is a JSON number"),
        new Hostile("uniMMR with an exponent", risk + "\"u\":\"1E+9999\",\"m\":\"1\"}", "u is not"),
        new Hostile("uniMMR with 9 places", risk + "\"u\":\"1.123456789\",\"m\":\"1\"}", "u has 9"),
        new Hostile("negative margin", risk + "\"u\":\"1.5\",\"m\":\"-1\"}", "m is negative"),
        new Hostile(
            "risk level not a string",
            "{\"e\":\"riskLevelChange\",\"E\":"
                + NOW
                + ",\"s\":5,\"u\":\"1.5\",\"eq\":\"1\","
                + "\"ae\":\"1\",\"m\":\"1\"}",
            "s (risk level) is missing or not a string"));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void everyHostileFrameIsADeadLetterAndTheStreamThePollsAndThePushPathGoOn() throws Exception {
    String snapshots = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 3);
    String risk = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("risk"), 3);
    String dlq = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("dlq"), 1);
    BinancePmSimulator sim =
        BinancePmSimulator.builder()
            .scenario("calm")
            .accounts(1)
            .seed(5)
            .faults(FaultConfig.none())
            .build()
            .start();
    toClose.add(sim);
    SimulatedAccount alice = sim.accounts().get(0);
    alice.set("2.00000000");
    PollerApp app =
        PollerFixture.start(
            PollerFixture.settings(
                sim,
                dir.resolve("credentials.properties"),
                kafka.bootstrapServers(),
                registry.url(),
                Map.of(
                    "poll.interval",
                    "5s",
                    "poll.push.min.gap",
                    "100ms",
                    "binance.user.stream.enabled",
                    "true",
                    "binance.ws.base.url",
                    sim.wsBaseUrl(),
                    "topic.snapshots",
                    snapshots,
                    "topic.risk.level.changes",
                    risk,
                    "topic.dlq",
                    dlq)),
            meters);
    toClose.add(() -> app.shutdown(Duration.ofSeconds(10)));
    await().atMost(WAIT).until(() -> sim.pushLog().connections(alice.id()).size() == 1);
    await()
        .atMost(WAIT)
        .until(
            () -> sim.pushLog().connections(alice.id()).get(0).isOpen() && connected(alice.id()));
    long servedBefore = alice.servedCount();

    List<Hostile> corpus = corpus();
    for (Hostile hostile : corpus) {
      assertThat(sim.pushRawFrame(alice.id(), hostile.frame())).as(hostile.name()).isEqualTo(1);
    }
    // a well-formed event of a type we do not know: an account change, polled, no dead letter
    sim.pushRawFrame(alice.id(), "{\"e\":\"SOMETHING_NEW\",\"E\":" + NOW + "}");

    List<JsonNode> letters = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        PollerFixture.textConsumer(kafka.bootstrapServers())) {
      await()
          .atMost(WAIT)
          .until(
              () -> {
                letters.clear();
                for (var r : PollerFixture.readAll(consumer, dlq)) {
                  letters.add(JSON.readTree(r.value()));
                }
                return letters.size() >= corpus.size();
              });
    }
    assertThat(letters).hasSize(corpus.size());
    for (int i = 0; i < corpus.size(); i++) {
      Hostile hostile = corpus.get(i);
      JsonNode letter = letters.get(i);
      assertThat(letter.get("errorKind").asText()).as(hostile.name()).isEqualTo("BAD_PUSH_FRAME");
      assertThat(letter.get("accountId").asText()).as(hostile.name()).isEqualTo(alice.id());
      assertThat(letter.get("message").asText()).as(hostile.name()).startsWith(hostile.reason());
      assertThat(letter.get("rawBody").asText().length())
          .as(hostile.name() + ": the kept frame is capped")
          .isLessThanOrEqualTo(PushEvents.MAX_FRAME_CHARS + 64);
    }
    assertThat(counter("pmas.push.frames.malformed", "account", alice.id()))
        .isEqualTo(corpus.size());
    assertThat(counter("pmas.push.events", "account", alice.id(), "type", "SOMETHING_NEW"))
        .isEqualTo(1);
    await().atMost(WAIT).until(() -> counter("pmas.poll.push.polls", "account", alice.id()) >= 1);

    // the push path still works end to end: a real crossing is published and polled at once
    alice.set(new BigDecimal("1.10000000"));
    await()
        .atMost(WAIT)
        .until(
            () -> {
              try (var consumer = PollerFixture.rawConsumer(kafka.bootstrapServers())) {
                return PollerFixture.readAll(consumer, risk).size() == 1;
              }
            });
    await()
        .atMost(WAIT)
        .until(
            () -> {
              try (var consumer =
                  PollerFixture.snapshotConsumer(kafka.bootstrapServers(), registry.url())) {
                return PollerFixture.readAll(consumer, snapshots).stream()
                    .anyMatch(r -> new BigDecimal("1.10000000").equals(r.value().getUniMMR()));
              }
            });

    assertThat(sim.pushLog().connections(alice.id()))
        .as("no frame closed the stream")
        .hasSize(1)
        .allMatch(c -> c.isOpen());
    assertThat(alice.servedCount()).as("polling went on").isGreaterThan(servedBefore);
    assertThat(meters.find("pmas.userdata.loop.errors").counters())
        .allMatch(c -> c.count() == 0, "no user-data loop error");
    assertThat(meters.find("pmas.loop.errors").counters())
        .allMatch(c -> c.count() == 0, "no poller loop error");
    for (HealthCheck check : app.livenessChecks()) {
      assertThat(check.check().status()).as(check.name()).isEqualTo(HealthCheck.Status.UP);
    }
    for (HealthCheck check : app.readinessChecks()) {
      if (check.name().equals("user-data-streams")) {
        assertThat(check.check().reason()).contains("1 of 1 account(s) streaming");
      }
    }
  }

  private boolean connected(String account) {
    var gauge = meters.find("pmas.poller.user.stream.connected").tag("account", account).gauge();
    return gauge != null && gauge.value() == 1.0;
  }

  private double counter(String name, String... tags) {
    Counter counter = meters.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }
}
