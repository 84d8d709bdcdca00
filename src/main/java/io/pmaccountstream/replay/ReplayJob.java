package io.pmaccountstream.replay;

import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.derivation.Deriver;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.TopicCreation;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.serde.ConfluentAvroSerializer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code pm-account-stream replay}: reads the snapshot history of a range (and the warm-up before
 * it), runs it through the derivation with the live or a what-if configuration, and writes the
 * events to a file or to prefixed topics, optionally with a {@link BreachSummary}.
 *
 * <p>Standard output carries only the summary table (so it can be piped); progress and the
 * end-of-run report go to standard error.
 */
public final class ReplayJob {

  /** Where the events go. */
  public sealed interface Output {
    /** A JSON lines file or Avro container files, by extension. */
    record ToFile(Path path) implements Output {}

    /** Prefixed copies of the live output topics. */
    record ToTopics(String prefix) implements Output {}

    /** Nowhere: only the summary is wanted. */
    record Nowhere() implements Output {}
  }

  /**
   * Everything a replay needs, validated.
   *
   * @param connection Kafka and the schema registry
   * @param topics the live topic names (the snapshot topic is read, output topics are prefixed)
   * @param derivation the live configuration, or the what-if one from --levels/--hysteresis
   * @param range the requested range
   * @param warmUp how much history before the range rebuilds state
   * @param accounts the accounts to replay
   * @param output where the events go
   * @param summary print the breach summary table on stdout
   * @param summaryOut also write the summary to this .csv or .json file
   * @param quiet no progress lines
   */
  public record Settings(
      KafkaConnection connection,
      Topics topics,
      DerivationConfig derivation,
      TimeRange range,
      WarmUp warmUp,
      AccountFilter accounts,
      Output output,
      boolean summary,
      Optional<Path> summaryOut,
      boolean quiet) {

    public Settings {
      Objects.requireNonNull(connection, "connection");
      Objects.requireNonNull(topics, "topics");
      Objects.requireNonNull(derivation, "derivation");
      Objects.requireNonNull(range, "range");
      Objects.requireNonNull(warmUp, "warmUp");
      Objects.requireNonNull(accounts, "accounts");
      Objects.requireNonNull(output, "output");
      Objects.requireNonNull(summaryOut, "summaryOut");
    }

    /** A summary is collected when it is printed or written. */
    public boolean collectsSummary() {
      return summary || summaryOut.isPresent();
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final PrintWriter out;
  private final PrintWriter err;

  public ReplayJob(Settings settings, Clock clock, PrintWriter out, PrintWriter err) {
    this.settings = settings;
    this.clock = clock;
    this.out = out;
    this.err = err;
  }

  /** Runs the replay to the end of the range; throws {@link ReplayException} if it cannot. */
  public Result run() {
    return new HistoryRun("replay", clock, err, settings.quiet())
        .run(
            settings.connection(),
            settings.topics().snapshots(),
            settings.range(),
            settings.warmUp(),
            this::describe,
            this::replay);
  }

  private Result replay(
      KafkaHistory history, ProgressReporter progress, Supplier<Duration> elapsed) {
    Optional<BreachSummaryCollector> summary =
        settings.collectsSummary()
            ? Optional.of(new BreachSummaryCollector(settings.range(), settings.derivation()))
            : Optional.empty();
    EventSink sink = openSink(history, history.plan().partitions().size());
    ReplayReport report;
    try (sink) {
      report =
          new Replayer(
                  history.reader(),
                  RegistrySnapshotDecoder.forDerivation(history.registry()),
                  settings.accounts(),
                  new Deriver(settings.derivation()),
                  sink,
                  summary,
                  progress)
              .run();
    }
    Optional<BreachSummary> result = summary.map(BreachSummaryCollector::summary);
    result.ifPresent(this::emitSummary);
    ReportPrinter.printReplay(err, report, sink.destinations(), elapsed.get());
    return new Result(report, result);
  }

  /** What a replay produced. */
  public record Result(ReplayReport report, Optional<BreachSummary> summary) {}

  private String describe(ReadPlan plan) {
    return String.format(
        Locale.ROOT,
        "%s %s on %d partitions: %,d offsets in range, %,d of warm-up (%s), levels %s,"
            + " hysteresis %s, %s",
        plan.topic(),
        settings.range(),
        plan.partitions().size(),
        plan.rangeOffsets(),
        plan.totalOffsets() - plan.rangeOffsets(),
        settings.warmUp(),
        settings.derivation().levels().stream().map(FieldValues::decimal).toList(),
        settings.derivation().hysteresis().toPlainString(),
        settings.accounts());
  }

  private EventSink openSink(KafkaHistory history, int partitions) {
    Output output = settings.output();
    if (output instanceof Output.ToFile file) {
      EventSink sink = EventSink.forFile(file.path());
      if (sink instanceof AvroContainerEventSink) {
        err.println(
            "replay: one Avro container holds one schema: writing "
                + AvroContainerEventSink.transitionsPath(file.path())
                + " and "
                + AvroContainerEventSink.levelEventsPath(file.path()));
      }
      return sink;
    }
    if (output instanceof Output.ToTopics topics) {
      return topicSink(history, topics.prefix(), partitions);
    }
    return EventSink.discarding();
  }

  private EventSink topicSink(KafkaHistory history, String prefix, int partitions) {
    Topics target = TopicEventSink.prefixed(settings.topics(), prefix);
    createIfMissing(List.of(target.statusTransitions(), target.lowUniMmr()), partitions);
    Map<String, Object> props = settings.connection().clientProperties();
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "pm-account-stream-replay-producer");
    Producer<String, SpecificRecord> producer =
        new KafkaProducer<>(
            props, new StringSerializer(), new ConfluentAvroSerializer<>(history.registry()));
    return new TopicEventSink(producer, target);
  }

  /**
   * Creates the prefixed output topics with as many partitions as the snapshot topic (the broker's
   * default replication), so the replay never depends on topic auto-creation. A broker that does
   * not answer within {@link KafkaHistory#STALL_TIMEOUT} ends the replay, as it does while reading.
   */
  private void createIfMissing(List<String> names, int partitions) {
    try (Admin admin = Admin.create(settings.connection().clientProperties())) {
      for (String name : names) {
        try {
          if (TopicCreation.create(
              admin,
              new NewTopic(name, Optional.of(partitions), Optional.empty()),
              KafkaHistory.STALL_TIMEOUT)) {
            err.println("replay: created topic " + name);
          }
        } catch (ExecutionException e) {
          throw new ReplayException(
              "cannot create output topic " + name + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
          throw new ReplayException(
              "Kafka did not create output topic "
                  + name
                  + " within "
                  + KafkaHistory.STALL_TIMEOUT.toSeconds()
                  + " s",
              e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReplayException("interrupted while creating output topics", e);
    }
  }

  private void emitSummary(BreachSummary summary) {
    if (settings.summary()) {
      out.print(BreachSummaryFormat.table(summary));
      out.flush();
    }
    settings
        .summaryOut()
        .ifPresent(
            path -> {
              BreachSummaryFormat.write(summary, path);
              err.println("replay: summary written to " + path);
            });
  }
}
