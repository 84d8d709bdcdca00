package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.cli.Main;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.ConfluentAvroSerializer;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryClientConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;

/** Snapshot histories on a real broker, and the CLI run against them, for the replay ITs. */
final class HistoryFixture {

  private HistoryFixture() {}

  static Topics uniqueTopics() {
    return Topics.defaults().withPrefix("it-" + UUID.randomUUID().toString().substring(0, 8) + ".");
  }

  static HttpSchemaRegistryClient registryClient(String url) {
    return new HttpSchemaRegistryClient(SchemaRegistryClientConfig.of(URI.create(url)));
  }

  /**
   * A snapshot of an account at {@code observedAt}; the updateTime is {@code updateLag} before it
   * (a larger lag than the previous snapshot's makes a stale snapshot).
   */
  static AccountSnapshot snapshot(
      String account,
      Instant observedAt,
      Duration updateLag,
      String uniMmr,
      AccountStatus status,
      long sequence) {
    return AccountSnapshot.newBuilder()
        .setAccountId(account)
        .setUniMMR(uniMmr == null ? null : new BigDecimal(uniMmr).setScale(8))
        .setAccountEquity(new BigDecimal("25000.12345678"))
        .setActualEquity(new BigDecimal("25100.5").setScale(8))
        .setAccountInitialMargin(new BigDecimal("4000").setScale(8))
        .setAccountMaintMargin(new BigDecimal("1500.25").setScale(8))
        .setAccountStatus(status)
        .setAccountStatusRaw(status.name())
        .setVirtualMaxWithdrawAmount(new BigDecimal("100").setScale(8))
        .setTotalAvailableBalance(null)
        .setTotalMarginOpenLoss(BigDecimal.ZERO.setScale(8))
        .setUpdateTime(observedAt.minus(updateLag))
        .setObservedAt(observedAt)
        .setRequestLatencyMs(35)
        .setUsedWeight1m(12)
        .setPollerInstanceId("it-poller")
        .setSequence(sequence)
        .build();
  }

  /**
   * A random walk of uniMMR per account every 30 s from {@code start}, crossing the default levels
   * (1.5, 1.2, 1.05) both ways, status following uniMMR as Binance's does, with null uniMMRs and
   * stale snapshots (an older updateTime observed later) mixed in. In observedAt order.
   */
  static List<AccountSnapshot> randomWalk(
      List<String> accounts, Instant start, int perAccount, long seed) {
    Random random = new Random(seed);
    Map<String, Double> mmr = new HashMap<>();
    List<AccountSnapshot> history = new ArrayList<>();
    for (int i = 0; i < perAccount; i++) {
      for (int a = 0; a < accounts.size(); a++) {
        String account = accounts.get(a);
        double u = mmr.getOrDefault(account, 1.6) + (random.nextDouble() - 0.5) * 0.25;
        u = Math.max(0.98, Math.min(1.75, u));
        mmr.put(account, u);
        AccountStatus status =
            u >= 1.5
                ? AccountStatus.NORMAL
                : u >= 1.2
                    ? AccountStatus.MARGIN_CALL
                    : u >= 1.05 ? AccountStatus.REDUCE_ONLY : AccountStatus.FORCE_LIQUIDATION;
        boolean stale = i > 2 && random.nextInt(12) == 0;
        String value = random.nextInt(25) == 0 ? null : String.format(Locale.ROOT, "%.4f", u);
        Instant observedAt = start.plusSeconds(30L * i).plusMillis(7L * a);
        history.add(
            snapshot(
                account,
                observedAt,
                stale ? Duration.ofSeconds(45) : Duration.ofMillis(400),
                value,
                status,
                i + 1));
      }
    }
    return history;
  }

  static void produce(
      String bootstrap, String registryUrl, String topic, List<AccountSnapshot> snapshots) {
    try (HttpSchemaRegistryClient client = registryClient(registryUrl);
        KafkaProducer<String, AccountSnapshot> producer =
            new KafkaProducer<>(
                producerConfig(bootstrap),
                new StringSerializer(),
                new ConfluentAvroSerializer<AccountSnapshot>(client))) {
      for (AccountSnapshot s : snapshots) {
        producer.send(
            new ProducerRecord<>(
                topic, null, s.getObservedAt().toEpochMilli(), s.getAccountId(), s));
      }
      producer.flush();
    }
  }

  /** Produces raw bytes (bad records, tombstones) keyed by {@code key}, timestamp {@code at}. */
  static void produceRaw(String bootstrap, String topic, String key, Instant at, byte[] value) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            producerConfig(bootstrap), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, null, at.toEpochMilli(), key, value));
      producer.flush();
    }
  }

  /** Produces snapshots in a transaction that is aborted: read_committed readers never see them. */
  static void produceAborted(
      String bootstrap, String registryUrl, String topic, List<AccountSnapshot> snapshots) {
    Map<String, Object> config = producerConfig(bootstrap);
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-aborted-" + UUID.randomUUID());
    try (HttpSchemaRegistryClient client = registryClient(registryUrl);
        KafkaProducer<String, AccountSnapshot> producer =
            new KafkaProducer<>(
                config,
                new StringSerializer(),
                new ConfluentAvroSerializer<AccountSnapshot>(client))) {
      producer.initTransactions();
      producer.beginTransaction();
      for (AccountSnapshot s : snapshots) {
        producer.send(
            new ProducerRecord<>(
                topic, null, s.getObservedAt().toEpochMilli(), s.getAccountId(), s));
      }
      producer.flush();
      producer.abortTransaction();
    }
  }

  private static Map<String, Object> producerConfig(String bootstrap) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return config;
  }

  /** Every committed record of a topic, read up to the end it has now. */
  static <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(
      String bootstrap, String topic, Deserializer<V> values) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<String, V>> records = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), values)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end " + end);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** The result of one CLI run. */
  record CliRun(int exitCode, String out, String err) {}

  static CliRun cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }
}
