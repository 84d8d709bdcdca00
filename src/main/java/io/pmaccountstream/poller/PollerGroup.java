package io.pmaccountstream.poller;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's membership in the group of pollers that share the accounts: Kafka hands out the
 * partitions of the assignment topic (cooperative-sticky: a join or a leave moves only what it
 * must), and the instance polls exactly the configured accounts whose partition it holds.
 *
 * <p>The consumer's {@code poll()} runs on a thread of its own ({@code poller-group}), which beats
 * a {@link LoopHeartbeat} for liveness. Rebalance callbacks run on that thread: an assignment takes
 * the accounts over ({@link Ownership#take}: their last snapshots are read back, then they are
 * scheduled); a revocation gives them up ({@link Ownership#give}: unscheduled, the poll in flight
 * awaited, their buffered snapshots flushed, all bounded) before the group may hand them to another
 * instance. Nothing is ever written to the assignment topic and no offset is committed.
 */
public final class PollerGroup implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PollerGroup.class);
  private static final Duration POLL = Duration.ofMillis(500);

  /** What taking an account over or giving it up does; called on the group thread. */
  public interface Ownership {
    void take(Set<String> accounts);

    void give(Set<String> accounts);
  }

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final List<String> accounts;
  private final Ownership ownership;
  private final Duration closeTimeout;
  private final MeterRegistry meters;
  private final LoopHeartbeat heartbeat;
  private final Set<String> owned = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean started;
  private final java.util.concurrent.atomic.AtomicBoolean closing =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile int partitionCount;

  public PollerGroup(
      Consumer<byte[], byte[]> consumer,
      String topic,
      List<String> accounts,
      Ownership ownership,
      Duration maxSilence,
      Duration closeTimeout,
      MeterRegistry meters) {
    this.consumer = consumer;
    this.topic = topic;
    this.accounts = List.copyOf(accounts);
    this.ownership = ownership;
    this.closeTimeout = closeTimeout;
    this.meters = meters;
    this.heartbeat = new LoopHeartbeat("poller-group", maxSilence);
    this.thread = new Thread(this::run, "poller-group");
    thread.setDaemon(true);
    heartbeat.runsOn(thread);
    heartbeat.registerIn(meters);
    meters.counter("pmas.loop.errors", "loop", heartbeat.name());
    Gauge.builder("pmas.poller.group.accounts", owned, Set::size)
        .description("Accounts this instance polls as its share of the group")
        .register(meters);
  }

  /** Consumer settings of the membership: cooperative-sticky, short session, static member. */
  public static Map<String, Object> consumerSettings(PollerGroupConfig config, String instanceId) {
    Map<String, Object> props = new HashMap<>();
    props.put("group.id", config.groupId().orElseThrow());
    props.put("group.instance.id", groupInstanceId(instanceId));
    props.put("group.protocol", "classic");
    props.put("partition.assignment.strategy", CooperativeStickyAssignor.class.getName());
    props.put("session.timeout.ms", Long.toString(config.sessionTimeout().toMillis()));
    props.put("heartbeat.interval.ms", Long.toString(config.heartbeatInterval().toMillis()));
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", "latest");
    props.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    props.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    return props;
  }

  /** A valid {@code group.instance.id} from the instance name (letters, digits, . _ - only). */
  static String groupInstanceId(String instanceId) {
    String id = instanceId.replaceAll("[^a-zA-Z0-9._-]", "-");
    return id.length() > 249 ? id.substring(0, 249) : id;
  }

  public void start() {
    started = true;
    thread.start();
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topic), new Listener());
      while (running) {
        heartbeat.beat();
        try {
          consumer.poll(POLL);
        } catch (WakeupException e) {
          // close() asked us to stop
        } catch (FencedInstanceIdException e) {
          log.error(
              "another poller joined the group with the same poller.instance.id; this one gives"
                  + " up its accounts and stops (liveness fails): give every instance its own"
                  + " name");
          giveUp(Set.copyOf(owned));
          return;
        } catch (KafkaException e) {
          meters.counter("pmas.loop.errors", "loop", heartbeat.name()).increment();
          log.warn("group poll failed, retrying: {}", e.toString());
        } catch (RuntimeException e) {
          // a bug (here or in a callback): counted and logged, the loop goes on after a pause
          meters.counter("pmas.loop.errors", "loop", heartbeat.name()).increment();
          log.error("group poll threw; retrying", e);
          pause();
        }
      }
      heartbeat.stopped();
    } finally {
      leave();
    }
  }

  private void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private void leave() {
    try {
      // Leaving (also as a static member) revokes the accounts through the listener, which flushes
      // their sends, and lets the others take them over at once instead of after the session.
      consumer.close(
          CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(closeTimeout));
    } catch (KafkaException e) {
      log.warn("leaving the poller group failed: {}", e.toString());
    }
    if (!owned.isEmpty()) {
      giveUp(Set.copyOf(owned));
    }
  }

  private void giveUp(Set<String> gone) {
    owned.removeAll(gone);
    ownership.give(gone);
  }

  /** The configured accounts that belong to these partitions of the assignment topic. */
  private Set<String> accountsOf(Collection<TopicPartition> partitions) {
    if (partitionCount == 0) {
      partitionCount = consumer.partitionsFor(topic).size();
    }
    Set<Integer> numbers = new TreeSet<>();
    partitions.stream()
        .filter(tp -> tp.topic().equals(topic))
        .forEach(tp -> numbers.add(tp.partition()));
    Set<String> mine = new TreeSet<>();
    for (String account : accounts) {
      if (numbers.contains(AccountPartitions.partitionFor(account, partitionCount))) {
        mine.add(account);
      }
    }
    return mine;
  }

  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      meters.counter("pmas.poller.group.rebalances", "change", "assigned").increment();
      Set<String> taken = accountsOf(partitions);
      taken.removeAll(owned);
      if (taken.isEmpty()) {
        return;
      }
      log.info("taking over {} account(s) of {} partition(s)", taken.size(), partitions.size());
      try {
        ownership.take(taken);
      } catch (RuntimeException e) {
        // Still counted as ours: unpolled, they turn stale in /health/ready instead of vanishing.
        meters.counter("pmas.loop.errors", "loop", heartbeat.name()).increment();
        log.error("taking over {} account(s) failed; they will show as stale", taken.size(), e);
      }
      owned.addAll(taken);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      meters.counter("pmas.poller.group.rebalances", "change", "revoked").increment();
      Set<String> gone = accountsOf(partitions);
      gone.retainAll(owned);
      if (!gone.isEmpty()) {
        log.info("giving up {} account(s) of {} partition(s)", gone.size(), partitions.size());
        giveUp(gone);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      meters.counter("pmas.poller.group.rebalances", "change", "lost").increment();
      Set<String> gone = accountsOf(partitions);
      gone.retainAll(owned);
      if (!gone.isEmpty()) {
        log.warn(
            "lost {} account(s) (this instance missed its session: another may poll them now)",
            gone.size());
        giveUp(gone);
      }
    }
  }

  /** Accounts this instance polls now. */
  public Set<String> owned() {
    return new TreeSet<>(owned);
  }

  public LoopHeartbeat heartbeat() {
    return heartbeat;
  }

  /** Why the membership loop is dead, empty while it turns. */
  public Optional<String> stalled() {
    return heartbeat.stalled();
  }

  /** Leaves the group (its accounts revoked and flushed first) and waits for the thread. */
  public void close(Duration timeout) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    running = false;
    if (!started) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    try {
      thread.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(closeTimeout);
  }
}
