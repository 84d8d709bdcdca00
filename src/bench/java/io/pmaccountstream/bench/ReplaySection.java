package io.pmaccountstream.bench;

import io.pmaccountstream.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
    String run = Long.toString(System.currentTimeMillis());
    Path config = context.workDir().resolve("replay-" + run + ".properties");
    Path out = context.workDir().resolve("replay-" + run + ".avro");
    Files.writeString(
        config,
        String.join(
            "\n",
            "bootstrap.servers=" + context.bootstrapServers(),
            "schema.registry.url=" + context.schemaRegistryUrl().orElseThrow(),
            Topics.SNAPSHOTS.name() + "=" + PipelineInput.TOPICS.snapshots(),
            ""));
    report.setting(ID, "records", input.records());
    report.setting(ID, "output", "Avro container files (events), replay --quiet, child JVM -Xmx1g");
    long launched = System.nanoTime();
    try (ChildJvm replay =
        ChildJvm.start(
            "replay",
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
                + context.logDir().resolve("replay.stderr.log"));
      }
    }
    double seconds = (System.nanoTime() - launched) / 1e9;
    report.figure(ID, "replay, launch to exit", input.records() / seconds, "records/s");
    Optional<Matcher> own = ownTiming(context.logDir().resolve("replay.stderr.log"));
    double rate = input.records() / seconds;
    String basis = "launch to exit, JVM start-up included";
    if (own.isPresent()) {
      long read = Long.parseLong(own.get().group(2).replace(",", ""));
      rate = read / Double.parseDouble(own.get().group(1));
      basis = "replay's own timing (JVM start-up excluded)";
      report.figure(ID, "replay, its own timing", rate, "records/s", null, read + " records read");
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
                    null,
                    note));
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
