package io.pmaccountstream.streams;

import static org.awaitility.Awaitility.await;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.derivation.Deriver;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.testing.TestSnapshots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Shared pieces of the derive ITs: topics, settings, input paths, expected and actual outputs. */
final class DeriveItSupport {

  static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(90);

  private DeriveItSupport() {}

  /**
   * Seconds after {@link TestSnapshots#BASE_MILLIS} of one hour ago. IT snapshots must be recent:
   * the broker's time-based retention (7 days by default) deletes records whose timestamp, the
   * observedAt, is older, and it deletes them from the output topics too.
   */
  static long recentSecond() {
    return (System.currentTimeMillis() - TestSnapshots.BASE_MILLIS) / 1000 - 3600;
  }

  /** Unique topic names, so ITs can share one broker. */
  static Topics uniqueTopics() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    return Topics.defaults().withPrefix("it-" + suffix + ".");
  }

  /** The flags of a derive run against this broker and registry. */
  static Map<String, String> flags(
      String bootstrap, String registryUrl, Topics topics, String applicationId, Path stateDir) {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), bootstrap);
    flags.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), registryUrl);
    flags.put(Topics.SNAPSHOTS.name(), topics.snapshots());
    flags.put(Topics.STATUS_TRANSITIONS.name(), topics.statusTransitions());
    flags.put(Topics.LOW_UNIMMR.name(), topics.lowUniMmr());
    flags.put(Topics.LATEST.name(), topics.latest());
    flags.put(Topics.DEAD_LETTER.name(), topics.deadLetter());
    flags.put(Topics.DERIVE_DEAD_LETTER.name(), topics.deriveDeadLetter());
    flags.put(DeriveConfig.APPLICATION_ID.name(), applicationId);
    flags.put(DeriveConfig.STATE_DIR.name(), stateDir.toString());
    flags.put(DeriveConfig.COMMIT_INTERVAL.name(), "100ms");
    flags.put(DeriveConfig.METRICS_REFRESH.name(), "1s");
    flags.put(DeriveConfig.SESSION_TIMEOUT.name(), "6s");
    flags.put("kafka.heartbeat.interval.ms", "1000");
    // These ITs write their history before derive first starts and expect all of it derived;
    // the ITs of the default (first-start) remove this on purpose.
    flags.put(DeriveConfig.EMIT_FROM.name(), "all");
    return flags;
  }

  static DeriveApp.Settings settings(Map<String, String> flags) {
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));
    DeriveApp.Settings settings = DeriveApp.Settings.from(reader);
    reader.throwIfProblems();
    return settings;
  }

  /**
   * A random walk of uniMMR and status per account, crossing every default level several times,
   * with stale snapshots and null uniMMRs mixed in; observedAt strictly increases per account.
   */
  static List<AccountSnapshot> path(
      List<String> accounts, int perAccount, long seed, long startSecond) {
    Random random = new Random(seed);
    List<AccountSnapshot> snapshots = new ArrayList<>();
    Map<String, Double> uniMmr = new HashMap<>();
    io.pmaccountstream.avro.AccountStatus[] statuses = {
      io.pmaccountstream.avro.AccountStatus.NORMAL,
      io.pmaccountstream.avro.AccountStatus.MARGIN_CALL,
      io.pmaccountstream.avro.AccountStatus.REDUCE_ONLY,
      io.pmaccountstream.avro.AccountStatus.FORCE_LIQUIDATION
    };
    for (int i = 0; i < perAccount; i++) {
      long second = startSecond + i;
      for (String account : accounts) {
        double u = uniMmr.getOrDefault(account, 1.6) + (random.nextDouble() - 0.5) * 0.3;
        u = Math.max(0.95, Math.min(1.7, u));
        uniMmr.put(account, u);
        String value = random.nextInt(20) == 0 ? null : String.format("%.4f", u);
        int statusIndex = u > 1.5 ? 0 : u > 1.2 ? 1 : u > 1.05 ? 2 : 3;
        boolean stale = i > 0 && random.nextInt(15) == 0;
        snapshots.add(
            TestSnapshots.of(account)
                .uniMmr(value)
                .status(statuses[statusIndex])
                .updatedAt(stale ? second - 5 : second)
                .sequence(i + 1)
                .at(second));
      }
    }
    return snapshots;
  }

  /** What the live topology must emit for {@code snapshots}, computed with the plain fold. */
  static Outputs expected(List<AccountSnapshot> snapshots, DerivationConfig config) {
    AccountFold fold = new AccountFold(new Deriver(config));
    AccountFold.States memory = AccountFold.States.inMemory();
    Outputs outputs = new Outputs();
    for (AccountSnapshot snapshot : snapshots) {
      fold.apply(snapshot.getAccountId(), snapshot, memory, outputs);
    }
    return outputs;
  }

  /**
   * What a live topology with {@link EmitFrom#since(java.time.Instant) emitFrom} must emit for
   * {@code snapshots}: the plain fold over all of them, keeping only the events of snapshots
   * observed at or after {@code from}.
   */
  static Outputs expectedFrom(
      List<AccountSnapshot> snapshots, java.time.Instant from, DerivationConfig config) {
    AccountFold fold = new AccountFold(new Deriver(config));
    AccountFold.States memory = AccountFold.States.inMemory();
    Outputs outputs = new Outputs();
    for (AccountSnapshot snapshot : snapshots) {
      boolean emits = !snapshot.getObservedAt().isBefore(from);
      fold.apply(
          snapshot.getAccountId(), snapshot, memory, emits ? outputs : AccountFold.Events.none());
    }
    return outputs;
  }

  /** Everything one derive run emitted (or must emit), in emission order per account. */
  static final class Outputs implements AccountFold.Events {
    final List<Object> transitions = new ArrayList<>();
    final List<Object> levelEvents = new ArrayList<>();
    final List<Object> latest = new ArrayList<>();

    @Override
    public void transition(AccountStatusTransition transition) {
      transitions.add(transition);
    }

    @Override
    public void levelEvent(UniMmrLevelEvent event) {
      levelEvents.add(event);
    }

    @Override
    public void accepted(AccountSnapshot snapshot) {
      latest.add(snapshot);
    }

    int size() {
      return transitions.size() + levelEvents.size() + latest.size();
    }

    /** Records grouped per account, in order (Kafka orders per partition, hence per account). */
    static Map<String, List<Object>> byAccount(List<Object> records) {
      Map<String, List<Object>> grouped = new LinkedHashMap<>();
      for (Object record : records) {
        String account =
            String.valueOf(
                ((org.apache.avro.specific.SpecificRecord) record).get(accountIdField(record)));
        grouped.computeIfAbsent(account, a -> new ArrayList<>()).add(record);
      }
      return grouped;
    }

    private static int accountIdField(Object record) {
      return ((org.apache.avro.specific.SpecificRecord) record)
          .getSchema()
          .getField("accountId")
          .pos();
    }
  }

  static void produce(
      String bootstrap,
      String topic,
      Serde<AccountSnapshot> serde,
      List<AccountSnapshot> snapshots) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, AccountSnapshot> producer =
        new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
      for (AccountSnapshot s : snapshots) {
        producer.send(
            new ProducerRecord<>(
                topic, null, s.getObservedAt().toEpochMilli(), s.getAccountId(), s));
      }
      producer.flush();
    }
  }

  /** The last record of each account: what a compacted topic keeps for sure. */
  static Map<String, Object> lastPerAccount(List<Object> records) {
    Map<String, Object> last = new LinkedHashMap<>();
    Outputs.byAccount(records)
        .forEach((account, list) -> last.put(account, list.get(list.size() - 1)));
    return last;
  }

  /**
   * Whether {@code actual} (read from the compacted latest topic) holds, per account, records of
   * {@code expected} in their order, each at most once, ending with the expected last one:
   * compaction may drop older records, never add, repeat or reorder them.
   */
  static boolean isCompactionOf(List<Object> actual, List<Object> expected) {
    Map<String, List<Object>> got = Outputs.byAccount(actual);
    Map<String, List<Object>> want = Outputs.byAccount(expected);
    if (!got.keySet().equals(want.keySet())) {
      return false;
    }
    for (Map.Entry<String, List<Object>> entry : want.entrySet()) {
      List<Object> seen = got.get(entry.getKey());
      List<Object> all = entry.getValue();
      if (!seen.get(seen.size() - 1).equals(all.get(all.size() - 1))) {
        return false;
      }
      int next = 0;
      for (Object record : seen) {
        while (next < all.size() && !all.get(next).equals(record)) {
          next++;
        }
        if (next == all.size()) {
          return false;
        }
        next++;
      }
    }
    return true;
  }

  /** Reads a whole topic from the beginning up to its current end, with the given isolation. */
  static <V> List<ConsumerRecord<String, V>> readAll(
      String bootstrap, String topic, Serde<V> serde, boolean committedOnly) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        committedOnly ? "read_committed" : "read_uncommitted");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<String, V>> records = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), serde.deserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!reached(consumer, end) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  static <V> List<Object> values(List<ConsumerRecord<String, V>> records) {
    return records.stream().map(r -> (Object) r.value()).toList();
  }

  /** Waits until {@code read} returns at least {@code count} records, then returns them. */
  static <T> List<T> awaitAtLeast(int count, Supplier<List<T>> read) {
    List<List<T>> last = new ArrayList<>();
    await()
        .atMost(OUTPUT_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              List<T> now = read.get();
              last.clear();
              last.add(now);
              return now.size() >= count;
            });
    return last.get(0);
  }
}
