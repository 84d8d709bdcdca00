package io.pmaccountstream.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * One Kafka Streams application in a child JVM, timed from launch until its committed input offsets
 * reach the end of the input. With exactly-once the offsets commit in the same transactions as the
 * outputs, so every output is committed by then. Shared by the derive, pass-through and growth
 * sections so that they all measure the same way.
 *
 * @param name the child's name (its log is {@code <name>.stderr.log})
 * @param records input records consumed
 * @param launchedNanos when the JVM was started
 * @param firstCommitNanos when the first committed offset was seen
 * @param firstCommitted input records committed at that moment
 * @param doneNanos when every input record was committed
 * @param incidents what went wrong inside the app during the run (empty when nothing)
 */
record StreamsRun(
    String name,
    long records,
    long launchedNanos,
    long firstCommitNanos,
    long firstCommitted,
    long doneNanos,
    String incidents) {

  private static final Duration TIMEOUT = Duration.ofMinutes(8);

  /** Starts {@code mainClass args} and waits until {@code applicationId} committed the input. */
  static StreamsRun measure(
      BenchContext context,
      String name,
      String mainClass,
      List<String> args,
      String applicationId,
      String inputTopic,
      long records)
      throws Exception {
    Offsets offsets = new Offsets(context.admin());
    Set<TopicPartition> inputPartitions = Offsets.partitions(inputTopic, context.partitions());
    long launched = System.nanoTime();
    long firstCommitAt = 0;
    long firstCommitted = 0;
    long doneAt;
    try (ChildJvm app =
        ChildJvm.start(name, List.of("-Xmx1g"), mainClass, args, context.logDir(), line -> {})) {
      while (true) {
        long committed = committedOrZero(offsets, applicationId, inputPartitions);
        long now = System.nanoTime();
        if (committed > 0 && firstCommitAt == 0) {
          firstCommitAt = now;
          firstCommitted = committed;
        }
        if (committed >= records) {
          doneAt = now;
          break;
        }
        if (!app.isAlive()) {
          throw new IllegalStateException(
              name + " exited early; see " + context.logDir().resolve(name + ".stderr.log"));
        }
        if (now - launched > TIMEOUT.toNanos()) {
          throw new IllegalStateException(
              name + " committed " + committed + " of " + records + " in " + TIMEOUT);
        }
        Thread.sleep(100);
      }
    }
    String incidents = incidents(context.logDir().resolve(name + ".stderr.log"));
    return new StreamsRun(
        name, records, launched, firstCommitAt, firstCommitted, doneAt, incidents);
  }

  double startupSeconds() {
    return (firstCommitNanos - launchedNanos) / 1e9;
  }

  double fromLaunch() {
    return records / ((doneNanos - launchedNanos) / 1e9);
  }

  /**
   * Records per second after the first commit (JVM start, topic checks and group join left out).
   */
  double steady() {
    return doneNanos > firstCommitNanos
        ? (records - firstCommitted) / ((doneNanos - firstCommitNanos) / 1e9)
        : fromLaunch();
  }

  /**
   * What went wrong inside the app during the run (a figure measured through a stream-thread crash
   * or a fenced producer is not a throughput figure, and must say so).
   */
  private static String incidents(Path log) throws java.io.IOException {
    if (!Files.exists(log)) {
      return "";
    }
    long died = 0;
    long fenced = 0;
    for (String line : Files.readAllLines(log)) {
      if (line.contains("Stream thread died")) {
        died++;
      }
      if (line.contains("TaskMigratedException") && !line.startsWith("\t")) {
        fenced++;
      }
    }
    List<String> parts = new ArrayList<>();
    if (died > 0) {
      parts.add(died + " stream thread(s) died and were replaced");
    }
    if (fenced > 0) {
      parts.add("tasks migrated after a fenced producer");
    }
    return parts.isEmpty() ? "" : String.join("; ", parts) + " (see " + log.getFileName() + ")";
  }

  private static long committedOrZero(Offsets offsets, String group, Set<TopicPartition> tps) {
    try {
      return offsets.committed(group, tps);
    } catch (IllegalStateException e) {
      return 0; // the group does not exist yet
    }
  }
}
