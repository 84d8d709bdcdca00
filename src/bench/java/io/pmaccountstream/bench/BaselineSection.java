package io.pmaccountstream.bench;

import io.pmaccountstream.avro.AccountSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Section 1: Kafka's own ProducerPerformance and ConsumerPerformance on the same broker, with
 * records the size of one encoded AccountSnapshot. Every other throughput is compared with these.
 */
final class BaselineSection implements Section {

  static final String ID = "1";
  static final String PRODUCE = "produce (ProducerPerformance)";
  static final String CONSUME = "consume (ConsumerPerformance, fetch)";
  static final String TOPIC = "pmas-bench.baseline";

  /** Each tool runs this many times; the median is the figure, the spread says how stable. */
  static final int REPEATS = 3;

  /** Confluent framing: magic byte 0 and a 4-byte schema id before the Avro binary. */
  private static final int CONFLUENT_HEADER_BYTES = 5;

  private static final Pattern PRODUCED =
      Pattern.compile(
          "^(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg"
              + " latency, ([\\d.]+) ms max latency.*?(\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th.*");

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "baseline: Kafka's perf tools";
  }

  /** The bytes of one realistic AccountSnapshot on the wire: Avro binary + 5 header bytes. */
  static int encodedSnapshotSize() {
    AccountSnapshot snapshot = RealisticSnapshots.one();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new SpecificDatumWriter<>(AccountSnapshot.class).write(snapshot, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a snapshot in memory", e);
    }
    return out.size() + CONFLUENT_HEADER_BYTES;
  }

  @Override
  public void run(BenchContext context) throws Exception {
    Report report = context.report();
    long records = context.scale().baselineRecords();
    int recordSize = encodedSnapshotSize();
    context.recreateTopics(Set.of(TOPIC));
    report.setting(ID, "records", records);
    report.setting(ID, "recordSizeBytes", recordSize);
    report.setting(ID, "partitions", context.partitions());
    report.setting(ID, "producerProps", "acks=all, tool defaults otherwise");
    report.figure(ID, "record size (encoded AccountSnapshot + 5)", recordSize, "bytes");

    int repeats = REPEATS;
    report.setting(ID, "repeats", repeats);
    List<Double> produceRates = new ArrayList<>();
    List<Double> produceP99s = new ArrayList<>();
    List<Double> fetchRates = new ArrayList<>();
    List<Double> consumeRates = new ArrayList<>();
    for (int i = 1; i <= repeats; i++) {
      List<String> produced =
          runTool(
              context,
              "producer-perf",
              "org.apache.kafka.tools.ProducerPerformance",
              List.of(
                  "--bootstrap-server",
                  context.bootstrapServers(),
                  "--topic",
                  TOPIC,
                  "--num-records",
                  Long.toString(records),
                  "--record-size",
                  Integer.toString(recordSize),
                  "--throughput",
                  "-1",
                  "--command-property",
                  "acks=all"));
      Matcher p = lastMatch(PRODUCED, produced, "ProducerPerformance");
      produceRates.add(Double.parseDouble(p.group(2)));
      produceP99s.add(Double.parseDouble(p.group(8)));

      // the topic holds i × records by now: every run reads the first records of it
      List<String> consumed =
          runTool(
              context,
              "consumer-perf",
              "org.apache.kafka.tools.ConsumerPerformance",
              List.of(
                  "--bootstrap-server",
                  context.bootstrapServers(),
                  "--topic",
                  TOPIC,
                  "--num-records",
                  Long.toString(records),
                  "--group",
                  "pmas-bench-consumer-perf-" + System.currentTimeMillis(),
                  "--hide-header"));
      ConsumerFigures c = ConsumerFigures.parse(consumed);
      fetchRates.add(c.fetchRecordsPerSecond());
      consumeRates.add(c.recordsPerSecond());
    }
    report.median(ID, PRODUCE, produceRates, "records/s", null, "");
    report.median(ID, "produce latency p99 (ProducerPerformance)", produceP99s, "ms", null, "");
    report.median(ID, CONSUME, fetchRates, "records/s", null, "");
    report.median(
        ID, "consume incl. group join (ConsumerPerformance)", consumeRates, "records/s", null, "");
  }

  private static List<String> runTool(
      BenchContext context, String name, String mainClass, List<String> args) throws Exception {
    try (ChildJvm tool =
        ChildJvm.start(name, List.of("-Xmx512m"), mainClass, args, context.logDir(), line -> {})) {
      int exit = tool.awaitExit(Duration.ofMinutes(5));
      if (exit != 0) {
        throw new IllegalStateException(
            mainClass + " exited with " + exit + "; see " + context.logDir() + "/" + name + "*");
      }
      return tool.stdout();
    }
  }

  private static Matcher lastMatch(Pattern pattern, List<String> lines, String tool) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      Matcher m = pattern.matcher(lines.get(i).trim());
      if (m.matches()) {
        return m;
      }
    }
    throw new IllegalStateException(tool + " printed no summary line; output: " + lines);
  }

  /**
   * ConsumerPerformance's CSV line: start.time, end.time, data.consumed.in.MB, MB.sec,
   * data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec,
   * fetch.nMsg.sec.
   */
  record ConsumerFigures(long records, double recordsPerSecond, double fetchRecordsPerSecond) {

    static ConsumerFigures parse(List<String> lines) {
      for (int i = lines.size() - 1; i >= 0; i--) {
        String[] cells = lines.get(i).split(",\\s*");
        if (cells.length == 10 && cells[4].trim().matches("\\d+")) {
          return new ConsumerFigures(
              Long.parseLong(cells[4].trim()),
              Double.parseDouble(cells[5].trim()),
              Double.parseDouble(cells[9].trim()));
        }
      }
      throw new IllegalStateException("ConsumerPerformance printed no figures; output: " + lines);
    }
  }
}
