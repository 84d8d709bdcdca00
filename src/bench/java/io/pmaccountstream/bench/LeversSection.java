package io.pmaccountstream.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Section 2l: each performance lever of derive measured before/after in the same run. For each
 * lever, derive (1 thread, exactly-once, from scratch, on the preloaded input) with its shipped
 * settings, then at once with the lever turned back (or another tried) through the same {@code
 * kafka.}-prefixed overrides a user has. The figure is the variant's rate after the first commit
 * and its ratio to the shipped run just before it.
 */
final class LeversSection implements Section {

  static final String ID = "2l";

  /** A variant: its label and the configuration lines it adds to derive's. */
  record Lever(String label, Map<String, String> overrides) {}

  /**
   * {@code -Dbench.levers=6,7}: only these levers (1-based, in the order of {@link #LEVERS}), for a
   * lever run of its own.
   */
  static final String ONLY_PROPERTY = "bench.levers";

  static final List<Lever> LEVERS =
      List.of(
          new Lever(
              "store cache off (statestore.cache.max.bytes=0): changelog once per record",
              Map.of("kafka.statestore.cache.max.bytes", "0")),
          new Lever(
              "Streams' producer defaults (linger 100 ms, batch 16 KiB)",
              Map.of("kafka.producer.linger.ms", "100", "kafka.producer.batch.size", "16384")),
          new Lever("producer compression lz4", Map.of("kafka.producer.compression.type", "lz4")),
          new Lever(
              "commit interval 100 ms (the default two changes ago)",
              Map.of("derive.commit.interval", "100ms")),
          new Lever("Streams producer linger 0 ms", Map.of("kafka.producer.linger.ms", "0")),
          new Lever(
              "commit interval 50 ms (the default before)",
              Map.of("derive.commit.interval", "50ms")),
          new Lever(
              "everything as before this work (cache off, Streams' producer and poll.ms, commit"
                  + " 100 ms)",
              orderedMap(
                  "derive.commit.interval", "100ms",
                  "kafka.statestore.cache.max.bytes", "0",
                  "kafka.producer.linger.ms", "100",
                  "kafka.producer.batch.size", "16384",
                  "kafka.poll.ms", "100")));

  private static Map<String, String> orderedMap(String... keyValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "derive levers, before/after";
  }

  @Override
  public Optional<String> unavailable(BenchContext context) {
    return new DeriveThroughputSection().unavailable(context);
  }

  @Override
  public void run(BenchContext context) throws Exception {
    Report report = context.report();
    PipelineInput input = PipelineInput.of(context);
    report.setting(ID, "records", input.records());
    report.setting(
        ID, "derive", "derive command, 1 stream thread, exactly_once_v2, child JVM -Xmx1g");
    int index = 0;
    String only = System.getProperty(ONLY_PROPERTY, "");
    for (Lever lever : LEVERS) {
      if (!only.isBlank() && !List.of(only.split(",")).contains(Integer.toString(index + 1))) {
        index++; // keeps the child names (derive-lever-<n>) of the full list
        continue;
      }
      report.setting(ID, "variant " + lever.label(), lever.overrides().toString());
      // shipped and variant back to back: the machine's load drifts, a pair shares it
      StreamsRun shipped =
          DeriveThroughputSection.derive(
              context,
              "derive-lever-" + index + "-shipped",
              PipelineInput.TOPICS,
              input.records(),
              Map.of());
      StreamsRun variant =
          DeriveThroughputSection.derive(
              context,
              "derive-lever-" + index,
              PipelineInput.TOPICS,
              input.records(),
              lever.overrides());
      index++;
      String incidents = String.join(" ", shipped.incidents(), variant.incidents()).trim();
      report.figure(
          ID,
          lever.label(),
          variant.steady(),
          "records/s",
          null,
          "shipped settings just before it: "
              + Report.Figures.format(shipped.steady())
              + " records/s "
              + incidents);
      report.figure(
          ID,
          lever.label() + ", ratio to shipped",
          variant.steady() / shipped.steady(),
          "×",
          null,
          "below 1: the shipped setting is faster");
    }
  }
}
