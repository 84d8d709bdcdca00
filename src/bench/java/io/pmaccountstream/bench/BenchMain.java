package io.pmaccountstream.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the benchmark sections against a running local stack, prints one table and writes the same
 * figures to {@code bench/results/latest.json}. Started by {@code bin/bench}, which builds the
 * classpath and brings the stack up.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "pm-account-stream benchmarks: figures only, nothing asserted.")
public final class BenchMain implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(BenchMain.class);

  @Option(
      names = "--bootstrap-server",
      required = true,
      description = "Kafka of the local stack (host:port)")
  String bootstrapServers;

  @Option(
      names = "--schema-registry-url",
      description = "Confluent-API registry of the local stack (needed by sections 2-5)")
  String schemaRegistryUrl;

  @Option(
      names = "--sections",
      split = ",",
      description =
          "Sections to run, in this order: 1,2p,2,2l,3,3b,4,5,6,growth (default: all but growth)")
  List<String> sections = new ArrayList<>();

  @Option(names = "--quick", description = "Smoke run of about 2 minutes with small counts")
  boolean quick;

  @Option(
      names = "--scale",
      description = "Multiply record counts, changes, polled accounts and poll window (e.g. 0.1)")
  double scale = 1.0;

  @Option(
      names = "--partitions",
      description = "Partitions of the topics the benchmark creates (default: ${DEFAULT-VALUE})")
  int partitions = 3;

  @Option(names = "--output", description = "JSON results file (default: ${DEFAULT-VALUE})")
  Path output = Path.of("bench/results/latest.json");

  @Option(
      names = "--work-dir",
      description = "Scratch files and child logs (default: ${DEFAULT-VALUE})")
  Path workDir = Path.of("target/bench");

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  /**
   * Every section, in the order they run and print: one line registers one. Those that are not
   * {@link Section#inDefaultSuite()} run only when named with {@code --sections}.
   */
  static List<Section> allSections() {
    return List.of(
        new BaselineSection(),
        new PassThroughSection(),
        new DeriveThroughputSection(),
        new LeversSection(),
        new ReplaySection(),
        new DerivationLogicSection(),
        new LatencySection(),
        new PollerScaleSection(),
        new SerdeSection(),
        new GrowthSection(),
        new ScaleOutSection(),
        new DetectLatencySection());
  }

  @Override
  public Integer call() throws Exception {
    Scale chosen = (quick ? Scale.quick() : Scale.full()).times(scale);
    List<Section> selected = select();
    Machine machine = Machine.describe();
    Report report = new Report();
    Files.createDirectories(workDir.resolve("logs"));
    Instant started = Instant.now();
    Map<String, Object> run = new LinkedHashMap<>(chosen.asMap());
    run.put("sections", selected.stream().map(Section::id).toList());
    run.put("partitions", partitions);
    try (BenchContext context =
        new BenchContext(
            chosen,
            bootstrapServers,
            Optional.ofNullable(schemaRegistryUrl),
            partitions,
            workDir,
            report)) {
      for (Section section : selected) {
        report.title(section.id(), section.title());
        Optional<String> unavailable = section.unavailable(context);
        if (unavailable.isPresent()) {
          log.warn("section {} not run: {}", section.id(), unavailable.get());
          report.notRun(section.id(), unavailable.get());
          continue;
        }
        Instant sectionStart = Instant.now();
        log.info("section {} ({}) starting", section.id(), section.title());
        try {
          section.run(context);
        } catch (Exception e) {
          log.error("section {} failed", section.id(), e);
          report.notRun(section.id(), "failed: " + e);
        }
        Duration took = Duration.between(sectionStart, Instant.now());
        report.setting(section.id(), "seconds", took.toSeconds());
        log.info("section {} done in {} s", section.id(), took.toSeconds());
      }
    }
    run.put("seconds", Duration.between(started, Instant.now()).toSeconds());
    report.printTable(System.out, machine);
    report.writeJson(output, machine, run);
    Path markdown =
        output.resolveSibling(output.getFileName().toString().replaceAll("\\.json$", "") + ".md");
    report.writeMarkdown(markdown, machine);
    System.out.println("written: " + output + " and " + markdown);
    return 0;
  }

  private List<Section> select() {
    if (sections.isEmpty()) {
      return allSections().stream().filter(Section::inDefaultSuite).toList();
    }
    List<Section> selected = new ArrayList<>();
    for (Section s : allSections()) {
      if (sections.contains(s.id())) {
        selected.add(s);
      }
    }
    List<String> known = allSections().stream().map(Section::id).toList();
    List<String> unknown = sections.stream().filter(s -> !known.contains(s)).toList();
    if (!unknown.isEmpty()) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "unknown section(s) " + unknown + "; known: " + known);
    }
    return selected;
  }
}
