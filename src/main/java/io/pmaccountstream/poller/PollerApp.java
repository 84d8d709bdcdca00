package io.pmaccountstream.poller;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.RiskLevelChange;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.BinanceAccountClient;
import io.pmaccountstream.binance.BinanceClientConfig;
import io.pmaccountstream.binance.WeightBudget.Priority;
import io.pmaccountstream.binance.userdata.UserDataStreamConfig;
import io.pmaccountstream.binance.userdata.UserDataStreams;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.ops.HealthCheck;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The poll process: scheduler → poll step → publishers, with an orderly shutdown. */
public final class PollerApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PollerApp.class);

  /** Everything the poll process is configured with, validated together at start-up. */
  public record Settings(
      BinanceClientConfig binance,
      List<AccountCredentials> accounts,
      KafkaConnection kafka,
      Topics topics,
      PollerConfig poller,
      PollerGroupConfig group,
      AdaptiveConfig adaptive,
      UserDataStreamConfig userStream) {

    /**
     * Reads and validates every component's settings together; every problem is reported at once.
     */
    public static Settings from(io.pmaccountstream.config.ConfigReader reader) {
      Optional<List<AccountCredentials>> accounts = reader.component(AccountCredentials::from);
      Optional<KafkaConnection> kafka = reader.component(KafkaConnection::from);
      Optional<Topics> topics = reader.component(Topics::from);
      Optional<PollerConfig> poller = reader.component(PollerConfig::from);
      Optional<PollerGroupConfig> group = reader.component(PollerGroupConfig::from);
      Optional<AdaptiveConfig> adaptive = reader.component(AdaptiveConfig::from);
      Optional<BinanceClientConfig> binance = reader.component(BinanceClientConfig::from);
      Optional<UserDataStreamConfig> userStream = reader.component(UserDataStreamConfig::from);
      reader.throwIfProblems();
      return new Settings(
          binance.orElseThrow(),
          accounts.orElseThrow(),
          kafka.orElseThrow(),
          topics.orElseThrow(),
          poller.orElseThrow(),
          group.orElseThrow(),
          adaptive.orElseThrow(),
          userStream.orElseThrow());
    }

    public static List<io.pmaccountstream.config.ConfigField<?>> fields() {
      List<io.pmaccountstream.config.ConfigField<?>> fields = new java.util.ArrayList<>();
      fields.addAll(BinanceClientConfig.fields());
      fields.addAll(AccountCredentials.fields());
      fields.addAll(KafkaConnection.fields());
      fields.addAll(Topics.fields());
      fields.addAll(PollerConfig.fields());
      fields.addAll(PollerGroupConfig.fields());
      fields.addAll(AdaptiveConfig.fields());
      fields.addAll(UserDataStreamConfig.fields());
      return fields;
    }
  }

  private final Settings settings;
  private final BinanceAccountClient client;
  private final SnapshotPublisher snapshots;
  private final DeadLetterPublisher deadLetters;
  private final RiskLevelChangePublisher riskLevelChanges;
  private final PollScheduler scheduler;
  private final Optional<AdaptiveIntervals> adaptive;
  private final AccountPoller poller;
  private final UserDataStreamControl streams;
  private final PushEvents pushEvents;
  private final Map<String, AccountCredentials> accountsById = new HashMap<>();
  private final List<Producer<?, ?>> producers;
  private final MeterRegistry meters;
  private final Set<String> streamGauges = ConcurrentHashMap.newKeySet();
  private volatile PollerGroup group;

  PollerApp(
      Settings settings,
      BinanceAccountClient client,
      Producer<String, AccountSnapshot> snapshotProducer,
      Producer<String, String> deadLetterProducer,
      Producer<String, RiskLevelChange> riskLevelChangeProducer,
      UserDataStreamControl streams,
      MeterRegistry meters,
      Clock clock) {
    this.settings = settings;
    this.client = client;
    this.streams = streams;
    this.producers = List.of(snapshotProducer, deadLetterProducer, riskLevelChangeProducer);
    this.meters = meters;
    PollerConfig config = settings.poller();
    this.deadLetters =
        new DeadLetterPublisher(
            deadLetterProducer,
            settings.topics().deadLetter(),
            config.deadLetterBufferBytes(),
            meters);
    this.snapshots =
        new SnapshotPublisher(
            snapshotProducer,
            settings.topics().snapshots(),
            config.publishRetryBackoff(),
            config.publishBufferBytes(),
            deadLetters::publish,
            config.instanceId(),
            meters,
            clock);
    this.riskLevelChanges =
        new RiskLevelChangePublisher(
            riskLevelChangeProducer,
            settings.topics().riskLevelChanges(),
            config.publishRetryBackoff(),
            deadLetters::publish,
            config.instanceId(),
            meters,
            clock);
    AdaptiveConfig adaptiveConfig = settings.adaptive();
    if (settings.userStream().enabled()) {
      // without the stream nothing is urgent: the whole budget goes to scheduled polls; with it,
      // pushes may take all but what every account polled once per max costs
      client
          .weightBudget()
          .reserveForUrgent(adaptiveConfig.headroom(), () -> scheduleFloorWeight(adaptiveConfig));
    }
    this.adaptive =
        adaptiveConfig.enabled()
            ? Optional.of(
                new AdaptiveIntervals(
                    new RiskAdaptivePolicy(
                        adaptiveConfig.levels(), adaptiveConfig.min(), adaptiveConfig.max()),
                    () ->
                        PollBudgetAllocation.pollsPerSecond(
                            client.weightBudget().allowedWeight()
                                - client.weightBudget().urgentReserve(),
                            BinanceAccountClient.ACCOUNT_WEIGHT,
                            adaptiveConfig.headroom()),
                    meters))
            : Optional.empty();
    this.scheduler =
        new PollScheduler(
            adaptive
                .<PollScheduler.Intervals>map(a -> a)
                .orElse(PollScheduler.Intervals.fixed(config.interval())),
            () -> client.weightBudget().routineWait(BinanceAccountClient.ACCOUNT_WEIGHT),
            config.jitter(),
            adaptiveConfig.pushMinGap(),
            Math.min(config.maxConcurrent(), settings.accounts().size()),
            meters,
            System::nanoTime);
    adaptive.ifPresent(a -> a.onChanged(scheduler::intervalsChanged));
    this.poller =
        new AccountPoller(
            client::fetchAccount,
            snapshots,
            deadLetters,
            config,
            adaptive.isPresent() ? adaptiveConfig.max() : config.interval(),
            snapshot -> adaptive.ifPresent(a -> a.observe(snapshot)),
            meters,
            clock);
    this.pushEvents =
        new PushEvents(
            scheduler::pollSoon,
            riskLevelChanges,
            deadLetters::publish,
            config.instanceId(),
            meters,
            clock);
    settings.accounts().forEach(a -> accountsById.put(a.accountId(), a));
    poller.watch(accountsById.keySet());
    if (settings.group().enabled()) {
      // Nothing is polled here until the group assigns it.
      poller.releaseAll(accountsById.keySet());
    }
  }

  /**
   * The weight a minute of polling every account on the schedule once per longest interval, plus
   * the headroom: what pushes never take from the schedule.
   */
  private int scheduleFloorWeight(AdaptiveConfig config) {
    PollScheduler schedule = scheduler;
    if (schedule == null) {
      return 0;
    }
    Duration longest = config.enabled() ? config.max() : settings.poller().interval();
    double perMinute =
        schedule.size() * 60_000.0 / Math.max(1, longest.toMillis()) * (1 + config.headroom());
    return (int) Math.ceil(perMinute * BinanceAccountClient.ACCOUNT_WEIGHT);
  }

  /** Builds the app with real Kafka producers and the Binance client. */
  public static PollerApp create(Settings settings, MeterRegistry meters) {
    BinanceAccountClient client = new BinanceAccountClient(settings.binance(), meters);
    UserDataStreamControl streams =
        settings.userStream().enabled()
            ? new UserDataStreamsControl(
                new UserDataStreams(
                    settings.userStream(), settings.binance(), client.weightBudget(), meters))
            : UserDataStreamControl.NONE;
    return create(settings, client, meters, streams);
  }

  /**
   * Builds the app with real Kafka producers, the Binance client and the accounts' user-data
   * streams ({@link UserDataStreamControl#NONE}: polling only).
   */
  public static PollerApp create(
      Settings settings, MeterRegistry meters, UserDataStreamControl streams) {
    return create(settings, new BinanceAccountClient(settings.binance(), meters), meters, streams);
  }

  private static PollerApp create(
      Settings settings,
      BinanceAccountClient client,
      MeterRegistry meters,
      UserDataStreamControl streams) {
    return new PollerApp(
        settings,
        client,
        new KafkaProducer<>(snapshotProducerProperties(settings.kafka())),
        new KafkaProducer<>(deadLetterProducerProperties(settings.kafka())),
        new KafkaProducer<>(riskLevelChangeProducerProperties(settings.kafka())),
        streams,
        meters,
        Clock.systemUTC());
  }

  /** As the snapshots' producer (same serde, idempotent), under its own client id. */
  static Map<String, Object> riskLevelChangeProducerProperties(KafkaConnection kafka) {
    Map<String, Object> props = snapshotProducerProperties(kafka);
    props.put("client.id", "pm-account-stream-risk-events");
    return props;
  }

  /** Our defaults, then the registry settings, then the user's {@code kafka.*} overrides. */
  static Map<String, Object> snapshotProducerProperties(KafkaConnection kafka) {
    Map<String, Object> props = new HashMap<>(SnapshotPublisher.producerSettings());
    props.putAll(kafka.serdeProperties());
    props.putAll(kafka.clientProperties());
    props.putIfAbsent("client.id", "pm-account-stream-poller");
    return props;
  }

  static Map<String, Object> deadLetterProducerProperties(KafkaConnection kafka) {
    Map<String, Object> props = new HashMap<>(DeadLetterPublisher.producerSettings());
    props.putAll(kafka.clientProperties());
    props.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    props.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    props.put("client.id", "pm-account-stream-dlq");
    return props;
  }

  public void start() {
    List<String> ids = settings.accounts().stream().map(AccountCredentials::accountId).toList();
    PollerGroupConfig groupConfig = settings.group();
    if (groupConfig.enabled()) {
      log.info(
          "sharing {} account(s) in poller group {} (partitions of {}), polling each every {}"
              + " (emission {}), publishing to {}",
          ids.size(),
          groupConfig.groupId().get(),
          groupConfig.assignmentTopic(),
          settings.poller().interval(),
          settings.poller().emission(),
          settings.topics().snapshots());
      startGroup(ids);
      return;
    }
    log.info(
        "polling {} account(s) every {} (emission {}), publishing to {}",
        ids.size(),
        describeIntervals(),
        settings.poller().emission(),
        settings.topics().snapshots());
    adaptive.ifPresent(a -> a.add(ids));
    scheduler.start(ids, this::pollAccount);
    startStreams(ids);
  }

  private String describeIntervals() {
    AdaptiveConfig config = settings.adaptive();
    return config.enabled()
        ? config.min() + " to " + config.max() + " by risk (poll.adaptive)"
        : settings.poller().interval().toString();
  }

  private void startStreams(Collection<String> ids) {
    if (streams == UserDataStreamControl.NONE) {
      return;
    }
    for (String id : ids) {
      registerStreamGauge(id);
    }
    try {
      streams.start(ids.stream().map(accountsById::get).toList(), pushEvents);
    } catch (RuntimeException e) {
      // Polling goes on without the push path; /health shows the streams as not connected.
      meters.counter("pmas.loop.errors", "loop", "user-data-streams").increment();
      log.error("starting the user-data streams of {} account(s) threw", ids.size(), e);
    }
  }

  private void stopStreams(Collection<String> ids, Duration timeout) {
    if (streams == UserDataStreamControl.NONE) {
      return;
    }
    try {
      streams.stop(ids, timeout);
    } catch (RuntimeException e) {
      meters.counter("pmas.loop.errors", "loop", "user-data-streams").increment();
      log.error("stopping the user-data streams of {} account(s) threw", ids.size(), e);
    }
  }

  private void registerStreamGauge(String id) {
    if (streamGauges.add(id)) {
      Gauge.builder(
              "pmas.poller.user.stream.connected",
              this,
              app -> {
                UserDataStreamControl.StreamHealth health = app.streamHealth().get(id);
                return health == null ? Double.NaN : health.connected() ? 1 : 0;
              })
          .description(
              "1 while the account's user-data stream is connected, 0 while not, NaN when not"
                  + " streamed here")
          .tag("account", id)
          .register(meters);
    }
  }

  private Map<String, UserDataStreamControl.StreamHealth> streamHealth() {
    try {
      return streams.health();
    } catch (RuntimeException e) {
      // shown as not connected; counted and logged, never a failed scrape or health request
      meters.counter("pmas.loop.errors", "loop", "user-data-streams").increment();
      log.warn("the user-data streams' health threw: {}", e.toString());
      return Map.of();
    }
  }

  /** What the poller does with the user-data events: for the stream client, and tests. */
  public PushEvents pushEvents() {
    return pushEvents;
  }

  private void pollAccount(String id, Priority priority) {
    poller.poll(accountsById.get(id), priority);
  }

  private void startGroup(List<String> ids) {
    PollerGroupConfig config = settings.group();
    AssignmentTopic.ensure(
        settings.kafka().clientProperties(),
        config.assignmentTopic(),
        config.assignmentPartitions());
    Map<String, Object> props = new HashMap<>(settings.kafka().clientProperties());
    props.putAll(PollerGroup.consumerSettings(config, settings.poller().instanceId()));
    props.put("client.id", "pm-account-stream-poller-group");
    Duration maxSilence =
        config.restoreTimeout().plus(config.revokeTimeout().multipliedBy(2)).plusSeconds(30);
    PollerGroup membership =
        new PollerGroup(
            new KafkaConsumer<>(props),
            config.assignmentTopic(),
            ids,
            new GroupOwnership(),
            maxSilence,
            config.revokeTimeout().multipliedBy(2),
            meters);
    this.group = membership;
    membership.start();
  }

  /** Takes accounts over from the topic, gives them up flushed: the group's callbacks. */
  private final class GroupOwnership implements PollerGroup.Ownership {
    @Override
    public void take(Set<String> accounts) {
      Map<String, AccountSnapshot> last;
      try {
        last = restore(accounts);
      } catch (RuntimeException e) {
        // Polled without history rather than not at all.
        meters.counter("pmas.poller.group.restore.failures").increment();
        log.error("reading the last snapshots back threw; the accounts start without history", e);
        last = Map.of();
      }
      for (String id : accounts) {
        Optional<AccountSnapshot> snapshot = Optional.ofNullable(last.get(id));
        poller.takeOver(id, snapshot);
        adaptive.ifPresent(a -> a.add(Set.of(id)));
        snapshot.ifPresent(s -> adaptive.ifPresent(a -> a.observe(s)));
        log.debug(
            "account {} taken over at sequence {}",
            id,
            snapshot.map(AccountSnapshot::getSequence).orElse(0L));
      }
      scheduler.add(accounts, PollerApp.this::pollAccount);
      startStreams(accounts);
    }

    @Override
    public void give(Set<String> accounts) {
      Duration timeout = settings.group().revokeTimeout();
      stopStreams(accounts, timeout);
      Set<String> running = scheduler.remove(accounts, timeout);
      adaptive.ifPresent(a -> a.remove(accounts));
      accounts.forEach(poller::release);
      int unsent = snapshots.flush(accounts, timeout);
      if (!running.isEmpty() || unsent > 0) {
        log.warn(
            "gave up {} account(s) with {} poll(s) still running and {} snapshot(s) unsent after"
                + " {} (they are still sent, possibly after the new owner's)",
            accounts.size(),
            running.size(),
            unsent,
            timeout);
      }
    }
  }

  /**
   * The accounts' last snapshots from the topic, retried until the restore timeout; past it they
   * start without history (logged and counted).
   */
  private Map<String, AccountSnapshot> restore(Set<String> accounts) {
    Duration timeout = settings.group().restoreTimeout();
    long deadline = System.nanoTime() + timeout.toNanos();
    KafkaException last = null;
    try (LastSnapshots reader =
        LastSnapshots.open(settings.kafka(), settings.topics().snapshots())) {
      while (System.nanoTime() - deadline < 0) {
        try {
          return reader.read(accounts, Duration.ofNanos(deadline - System.nanoTime()));
        } catch (KafkaException e) {
          last = e;
          log.warn("reading the last snapshots back failed, retrying: {}", e.toString());
        }
      }
    }
    meters.counter("pmas.poller.group.restore.failures").increment();
    log.error(
        "could not read the last snapshots of {} account(s) within {} ({}): they start without"
            + " history (sequence 1, first poll published)",
        accounts.size(),
        timeout,
        last == null ? "timeout" : last.toString());
    return Map.of();
  }

  public Settings settings() {
    return settings;
  }

  public AccountPoller poller() {
    return poller;
  }

  /** The Kafka producers, for client metrics. */
  public List<Producer<?, ?>> producers() {
    return producers;
  }

  /** Accounts this instance polls: all configured ones, or its share of the group. */
  public List<String> ownedAccountIds() {
    return accountIds().stream().filter(poller::owns).toList();
  }

  /** Accounts configured. */
  public List<String> accountIds() {
    return settings.accounts().stream().map(AccountCredentials::accountId).toList();
  }

  public BinanceAccountClient client() {
    return client;
  }

  /**
   * Readiness: every account's newest state in Kafka is younger than {@code
   * poll.stale.after.intervals} intervals (details per account: state, reason, age), and no
   * snapshot has waited for Kafka longer than that.
   */
  public List<HealthCheck> readinessChecks() {
    List<HealthCheck> checks = new ArrayList<>();
    checks.add(HealthCheck.named("accounts-fresh", this::freshness));
    checks.add(HealthCheck.named("snapshot-backlog", this::backlog));
    if (streams != UserDataStreamControl.NONE) {
      checks.add(HealthCheck.named("user-data-streams", this::streamsHealth));
    }
    return checks;
  }

  /**
   * The user-data streams of the accounts polled here. Always UP: polling alone keeps every account
   * fresh (accounts-fresh says whether it does); a stream that is down only costs the seconds the
   * push path saves, so it is shown per account, not a reason to take the pod out.
   */
  private HealthCheck.Result streamsHealth() {
    Map<String, UserDataStreamControl.StreamHealth> health = streamHealth();
    Map<String, Object> details = new LinkedHashMap<>();
    int connected = 0;
    List<String> owned = ownedAccountIds();
    for (String id : owned) {
      UserDataStreamControl.StreamHealth stream = health.get(id);
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("connected", stream != null && stream.connected());
      detail.put("detail", stream == null ? "not started" : stream.detail());
      details.put(id, detail);
      if (stream != null && stream.connected()) {
        connected++;
      }
    }
    return HealthCheck.Result.up(
            connected
                + " of "
                + owned.size()
                + " account(s) streaming (the others are polled only)")
        .withDetails(details);
  }

  /** Liveness: every internal loop turns (sender threads, ticker, no wedged poll). */
  public List<HealthCheck> livenessChecks() {
    return List.of(HealthCheck.named("poller-loops", this::loops));
  }

  private HealthCheck.Result freshness() {
    Map<String, Object> details = new LinkedHashMap<>();
    List<String> stale = new ArrayList<>();
    Duration limit = poller.staleAfter();
    for (String id : ownedAccountIds()) {
      AccountPoller.AccountStatus status = poller.status(id);
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("state", status.state().name());
      detail.put("reason", status.reason());
      detail.put("ageSeconds", status.age().toMillis() / 1000.0);
      detail.put("stale", status.age().compareTo(limit) > 0);
      detail.put("badPayloadsInRow", status.badPayloadsInRow());
      status.freshAsOf().ifPresent(t -> detail.put("freshAsOf", t.toString()));
      status.pausedUntil().ifPresent(t -> detail.put("pausedUntil", t.toString()));
      details.put(id, detail);
      if (status.age().compareTo(limit) > 0) {
        stale.add(id + " (" + status.state() + ", " + status.age().toSeconds() + " s)");
      }
    }
    HealthCheck.Result result =
        stale.isEmpty()
            ? HealthCheck.Result.up(
                ownedAccountIds().size() + " account(s) fresh (limit " + limit + ")")
            : HealthCheck.Result.down(
                stale.size()
                    + " account(s) stale beyond "
                    + limit
                    + ": "
                    + String.join(", ", stale));
    return result.withDetails(details);
  }

  private HealthCheck.Result backlog() {
    Duration limit = poller.staleAfter();
    Optional<Duration> oldest = snapshots.oldestUnsentAge();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("unsent", snapshots.unsent());
    details.put("bufferedBytes", snapshots.bufferedBytes());
    details.put("bufferBytes", settings.poller().publishBufferBytes());
    details.put("oldestUnsentSeconds", oldest.map(d -> d.toMillis() / 1000.0).orElse(0.0));
    HealthCheck.Result result =
        oldest.isPresent() && oldest.get().compareTo(limit) > 0
            ? HealthCheck.Result.down(
                "the oldest unsent snapshot has waited "
                    + oldest.get().toSeconds()
                    + " s for Kafka (limit "
                    + limit
                    + ")")
            : HealthCheck.Result.up(snapshots.unsent() + " snapshot(s) unsent");
    return result.withDetails(details);
  }

  private HealthCheck.Result loops() {
    List<String> stalled = new ArrayList<>();
    snapshots.heartbeat().stalled().ifPresent(stalled::add);
    deadLetters.heartbeat().stalled().ifPresent(stalled::add);
    riskLevelChanges.heartbeat().stalled().ifPresent(stalled::add);
    scheduler.stalled().ifPresent(stalled::add);
    PollerGroup membership = group;
    if (membership != null) {
      membership.stalled().ifPresent(stalled::add);
    }
    return stalled.isEmpty()
        ? HealthCheck.Result.up("snapshot-sender, dlq-sender and poll-ticker turn")
        : HealthCheck.Result.down(String.join("; ", stalled));
  }

  /** Snapshots not yet acknowledged by Kafka. */
  public int unsent() {
    return snapshots.unsent();
  }

  /**
   * Stops polling, lets polls in flight finish, sends every unsent snapshot and dead letter, closes
   * the producers. Returns the number of snapshots left unsent (0 unless the broker stayed
   * unreachable past the timeout).
   */
  public int shutdown(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      streams.close(remaining(deadline).dividedBy(4));
    } catch (RuntimeException e) {
      log.error("closing the user-data streams threw", e);
    }
    PollerGroup membership = group;
    if (membership != null) {
      // Leaving revokes this instance's accounts (polls awaited, sends flushed) and hands them to
      // the others at once.
      membership.close(remaining(deadline).dividedBy(2));
    }
    // Half the time at most for polls in flight: what they and earlier polls produced still has
    // to reach Kafka.
    scheduler.close(remaining(deadline).dividedBy(2));
    int unsent = snapshots.close(remaining(deadline));
    riskLevelChanges.close(remaining(deadline));
    deadLetters.close(remaining(deadline));
    client.close();
    log.info("poller stopped; {} snapshot(s) unsent", unsent);
    return unsent;
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  @Override
  public void close() {
    shutdown(settings.poller().shutdownTimeout());
  }
}
