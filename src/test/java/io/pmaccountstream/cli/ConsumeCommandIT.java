package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.serde.ConfluentAvroSerializer;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryClientConfig;
import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** {@code consume} in-process against the real broker and registry. */
class ConsumeCommandIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final Instant UPDATE_TIME = Instant.parse("2022-07-13T10:13:32.154Z");
  private static final Instant FIRST = Instant.parse("2026-11-23T10:15:30.123Z");
  private static final Instant SECOND = Instant.parse("2026-11-23T10:15:35Z");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void printsCommittedSnapshotsAsJsonLinesWithExactDecimals() throws Exception {
    String topic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("snapshots"), 1);
    try (KafkaProducer<String, AccountSnapshot> producer = snapshotProducer("consume-it")) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(record(topic, snapshot(1, FIRST, "122607.35137903", "5167.92171923")));
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(record(topic, snapshot(99, FIRST, "666", "6.66")));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(record(topic, snapshot(2, SECOND, "1.5", null)));
      producer.commitTransaction();
    }
    int schemaId = registeredId(topic);

    int exit =
        run(
            "consume",
            "--topic",
            topic,
            "--from-beginning",
            "--max",
            "2",
            "--timeout",
            "30s",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--schema-registry-url",
            registry.url());

    assertThat(exit).as(err.toString()).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines)
        .containsExactly(
            expectedLine(0, FIRST, schemaId, 1, "122607.35137903", "\"5167.92171923\""),
            expectedLine(4, SECOND, schemaId, 2, "1.50000000", "null"));
  }

  @Test
  void printsJsonValuesOfTheDeadLetterTopicAsJson() {
    String topic = kafka.createTopic(KafkaBrokerExtension.uniqueTopic("dlq"), 1);
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      producer.send(
          new ProducerRecord<>(
              topic,
              null,
              FIRST.toEpochMilli(),
              "main",
              "{\"accountId\":\"main\",\"errorKind\":\"BAD_PAYLOAD\",\"httpStatus\":200}"));
    }

    int exit =
        run(
            "consume",
            "--topic",
            topic,
            "--from-beginning",
            "--timeout",
            "3s",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--schema-registry-url",
            registry.url());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString().lines())
        .containsExactly(
            "{\"partition\":0,\"offset\":0,\"timestamp\":\"2026-11-23T10:15:30.123Z\","
                + "\"key\":\"main\",\"value\":{\"accountId\":\"main\","
                + "\"errorKind\":\"BAD_PAYLOAD\",\"httpStatus\":200}}");
  }

  @Test
  void aMissingTopicIsARuntimeFailure() {
    int exit =
        run(
            "consume",
            "--topic",
            KafkaBrokerExtension.uniqueTopic("missing"),
            "--timeout",
            "1s",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--schema-registry-url",
            registry.url());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).contains("does not exist");
  }

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  /** A transactional producer naming our serializer by class, as a user's config would. */
  private static KafkaProducer<String, AccountSnapshot> snapshotProducer(String transactionalId) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ConfluentAvroSerializer.class.getName());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId + "-" + System.nanoTime());
    props.put(SchemaRegistryClientConfig.URL, registry.url());
    return new KafkaProducer<>(props);
  }

  private static ProducerRecord<String, AccountSnapshot> record(
      String topic, AccountSnapshot snapshot) {
    return new ProducerRecord<>(
        topic, null, snapshot.getObservedAt().toEpochMilli(), snapshot.getAccountId(), snapshot);
  }

  private static AccountSnapshot snapshot(
      long sequence, Instant observedAt, String equity, String uniMmr) {
    BigDecimal margin = new BigDecimal("23.72469206");
    return AccountSnapshot.newBuilder()
        .setAccountId("main")
        .setUniMMR(uniMmr == null ? null : new BigDecimal(uniMmr))
        .setAccountEquity(new BigDecimal(equity))
        .setActualEquity(new BigDecimal("73.47428058"))
        .setAccountInitialMargin(margin)
        .setAccountMaintMargin(margin)
        .setAccountStatus(AccountStatus.NORMAL)
        .setAccountStatusRaw("NORMAL")
        .setVirtualMaxWithdrawAmount(null)
        .setTotalAvailableBalance(null)
        .setTotalMarginOpenLoss(null)
        .setUpdateTime(UPDATE_TIME)
        .setObservedAt(observedAt)
        .setRequestLatencyMs(42)
        .setUsedWeight1m(20)
        .setPollerInstanceId("poller-1")
        .setSequence(sequence)
        .build();
  }

  private static String expectedLine(
      long offset, Instant timestamp, int schemaId, long sequence, String equity, String uniMmr) {
    return "{\"partition\":0,\"offset\":"
        + offset
        + ",\"timestamp\":\""
        + timestamp
        + "\",\"key\":\"main\",\"valueSchemaId\":"
        + schemaId
        + ",\"value\":{\"accountId\":\"main\",\"uniMMR\":"
        + uniMmr
        + ",\"accountEquity\":\""
        + equity
        + "\",\"actualEquity\":\"73.47428058\",\"accountInitialMargin\":\"23.72469206\","
        + "\"accountMaintMargin\":\"23.72469206\",\"accountStatus\":\"NORMAL\","
        + "\"accountStatusRaw\":\"NORMAL\",\"virtualMaxWithdrawAmount\":null,"
        + "\"totalAvailableBalance\":null,\"totalMarginOpenLoss\":null,"
        + "\"updateTime\":\"2022-07-13T10:13:32.154Z\",\"observedAt\":\""
        + timestamp
        + "\",\"requestLatencyMs\":42,\"usedWeight1m\":20,\"pollerInstanceId\":\"poller-1\","
        + "\"sequence\":"
        + sequence
        + "}}";
  }

  private static int registeredId(String topic) {
    try (HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(SchemaRegistryClientConfig.of(URI.create(registry.url())))) {
      return client.register(topic + "-value", AccountSnapshot.getClassSchema());
    }
  }
}
