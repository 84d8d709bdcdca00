package io.pmaccountstream.bench;

import io.pmaccountstream.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Section 3: the {@code replay} command (a child JVM) over the whole preloaded range, writing the
 * derived events to an Avro file. Timed from launch to exit, JVM start-up included.
 */
final class ReplaySection implements Section {

  static final String ID = "3";
  private static final Duration TIMEOUT = Duration.ofMinutes(8);
  private static final Pattern DONE = Pattern.compile("done in ([0-9.]+)s: ([0-9,]+) records read");

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "replay to a file";
  }

  @Override
  public Optional<String> unavailable(BenchContext context) {
    if (!Cli.hasCommand("replay")) {
      return Optional.of("the replay command does not exist in this build yet");
    }
    return context.schemaRegistryUrl().isEmpty()
        ? Optional.of("needs --schema-registry-url")
        : Optional.empty();
  }

  @Override
  public void run(BenchContext context) throws Exception {
    Report report = context.report();
    PipelineInput input = PipelineInput.of(context);
    report.setting(ID, "records", input.records());
    report.setting(ID, "output", "Avro container files (events), replay --quiet, child JVM -Xmx1g");
    Rates rates = replay(context, "replay", PipelineInput.TOPICS, input);
    report.figure(ID, "replay, launch to exit", rates.fromLaunch(), "records/s");
    double rate = rates.fromLaunch();
    String basis = "launch to exit, JVM start-up included";
    if (rates.own().isPresent()) {
      rate = rates.own().getAsDouble();
      basis = "replay's own timing (JVM start-up excluded)";
      report.figure(
          ID, "replay, its own timing", rate, "records/s", null, rates.read() + " records read");
    }
    double replayRate = rate;
    String note = basis;
    report
        .find(BaselineSection.ID, BaselineSection.CONSUME)
        .ifPresent(
            consume ->
                report.figure(
                    ID,
                    "ratio to baseline consume",
                    replayRate / consume.value(),
                    "×",
                    Report.Target.atLeast(0.6),
                    note + " vs the median consume"));
  }

  /** Launch-to-exit rate, replay's own rate (when it printed it) and the records it read. */
  record Rates(double fromLaunch, OptionalDouble own, long read) {}

  /** Runs the replay command over the whole of {@code input} on {@code topics.snapshots()}. */
  static Rates replay(BenchContext context, String name, Topics topics, PipelineInput input)
      throws Exception {
    String run = Long.toString(System.currentTimeMillis());
    Path config =
        context.writeConfig(
            name + "-" + run + ".properties",
            List.of(Topics.SNAPSHOTS.name() + "=" + topics.snapshots()));
    Path out = context.workDir().resolve(name + "-" + run + ".avro");
    long launched = System.nanoTime();
    try (ChildJvm replay =
        ChildJvm.start(
            name,
            List.of("-Xmx1g"),
            Cli.MAIN_CLASS,
            List.of(
                "replay",
                "--config",
                config.toString(),
                "--from",
                input.firstObservedAt().minusSeconds(1).toString(),
                "--to",
                input.lastObservedAt().plusSeconds(1).toString(),
                "--out",
                out.toString(),
                "--quiet"),
            context.logDir(),
            line -> {})) {
      int exit = replay.awaitExit(TIMEOUT);
      if (exit != 0) {
        throw new IllegalStateException(
            "replay exited with "
                + exit
                + "; see "
                + context.logDir().resolve(name + ".stderr.log"));
      }
    }
    double seconds = (System.nanoTime() - launched) / 1e9;
    Optional<Matcher> own = ownTiming(context.logDir().resolve(name + ".stderr.log"));
    if (own.isEmpty()) {
      return new Rates(input.records() / seconds, OptionalDouble.empty(), input.records());
    }
    long read = Long.parseLong(own.get().group(2).replace(",", ""));
    return new Rates(
        input.records() / seconds,
        OptionalDouble.of(read / Double.parseDouble(own.get().group(1))),
        read);
  }

  /** replay's summary line on stderr: "done in 4.776s: 100,000 records read ...". */
  private static Optional<Matcher> ownTiming(Path log) throws java.io.IOException {
    if (!Files.exists(log)) {
      return Optional.empty();
    }
    for (String line : Files.readAllLines(log)) {
      Matcher m = DONE.matcher(line);
      if (m.find()) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
