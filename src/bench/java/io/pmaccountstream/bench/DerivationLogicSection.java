package io.pmaccountstream.bench;

import org.openjdk.jmh.results.RunResult;

/** Section 3b: snapshots per second through the derivation logic on one core (JMH). */
final class DerivationLogicSection implements Section {

  static final String ID = "3b";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "derivation logic alone (JMH)";
  }

  @Override
  public void run(BenchContext context) throws Exception {
    Report report = context.report();
    report.setting(ID, "jmh", Jmh.describe(context.scale(), true));
    report.setting(
        ID,
        "input",
        DerivationLogicBenchmark.ACCOUNTS
            + " accounts' random-walk snapshots, default levels 1.5/1.2/1.05, hysteresis 2 %");
    RunResult result =
        Jmh.of(Jmh.run(context.scale(), DerivationLogicBenchmark.class, true, context), "derive");
    report.figure(
        ID,
        "snapshots/s on one thread",
        Jmh.score(result),
        "snapshots/s",
        Report.Target.atLeast(1_000_000),
        Jmh.error(result));
    Jmh.allocatedBytesPerOp(result)
        .ifPresent(b -> report.figure(ID, "allocation per snapshot", b, "B/op"));
  }
}
