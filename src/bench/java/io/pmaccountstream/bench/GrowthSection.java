package io.pmaccountstream.bench;

import io.pmaccountstream.kafka.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Section "growth": how cost grows. derive (1 thread, exactly-once, shipped settings) and replay at
 * 200, 2,000 and 20,000 accounts over the suite's record count, and at 1 M and 5 M records of 200
 * accounts (counts times {@code --scale}); then the poller's CPU and heap at 100, 1,000 and 5,000
 * accounts polled once a second (weight budget raised, simulator in the benchmark JVM). Not part of
 * the default suite (it alone takes about as long as the rest): {@code bin/bench --sections
 * growth}.
 */
final class GrowthSection implements Section {

  static final String ID = "growth";

  /** One input: accounts and records (before {@code --scale}). */
  record Point(int accounts, long records) {}

  static final List<Point> PIPELINE =
      List.of(
          new Point(200, 1_000_000),
          new Point(2_000, 1_000_000),
          new Point(20_000, 1_000_000),
          new Point(200, 5_000_000));

  static final List<Integer> POLLER_ACCOUNTS = List.of(100, 1_000, 5_000);

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "cost growth";
  }

  @Override
  public boolean inDefaultSuite() {
    return false;
  }

  @Override
  public Optional<String> unavailable(BenchContext context) {
    return new DeriveThroughputSection().unavailable(context);
  }

  @Override
  public void run(BenchContext context) throws Exception {
    Report report = context.report();
    double factor = context.scale().pipelineRecords() / 1_000_000.0;
    report.setting(ID, "recordFactor", factor);
    for (Point point : PIPELINE) {
      long records = Math.max(1_000, Math.round(point.records() * factor));
      String label = String.format("%,d accounts, %,d records", point.accounts(), records);
      Topics topics =
          Topics.defaults()
              .withPrefix("pmas-bench.growth." + point.accounts() + "-" + records + ".");
      long began = System.nanoTime();
      PipelineInput input = PipelineInput.preload(context, topics, records, point.accounts());
      report.setting(
          ID,
          "preload " + label,
          Math.round(input.records() / ((System.nanoTime() - began) / 1e9)) + " records/s");
      StreamsRun derive =
          DeriveThroughputSection.derive(
              context, "growth-derive", topics, input.records(), java.util.Map.of());
      report.figure(ID, "derive, " + label, derive.steady(), "records/s", null, derive.incidents());
      ReplaySection.Rates replay = ReplaySection.replay(context, "growth-replay", topics, input);
      report.figure(
          ID,
          "replay, " + label,
          replay.own().orElse(replay.fromLaunch()),
          "records/s",
          null,
          replay.own().isPresent() ? "replay's own timing" : "launch to exit");
      context.deleteTopics(
          java.util.Set.of(
              topics.snapshots(),
              topics.statusTransitions(),
              topics.lowUniMmr(),
              topics.latest(),
              topics.deadLetter()));
    }
    Duration window = context.scale().pollerWindow();
    Duration warmUp = Duration.ofSeconds(Math.max(5, Math.min(15, window.toSeconds() / 4)));
    report.setting(ID, "pollerWindowSeconds", window.toSeconds());
    for (int accounts : POLLER_ACCOUNTS) {
      PollerScaleSection.Measured m =
          PollerScaleSection.measure(context, accounts, window, warmUp, "growth-poller", List.of());
      String label = String.format("%,d accounts", accounts);
      report.figure(ID, "poller CPU, " + label, m.cpuCores(), "cores");
      report.figure(ID, "poller heap after GC, " + label, m.heapAfterGcMiB(), "MiB");
      report.figure(
          ID,
          "poller requests served, " + label,
          m.served(),
          "requests/s",
          null,
          "asked: " + accounts + "/s");
    }
  }
}
