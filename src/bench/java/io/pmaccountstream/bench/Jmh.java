package io.pmaccountstream.bench;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs JMH benchmarks with the scale's (short) settings and reads their results. */
final class Jmh {

  private Jmh() {}

  /** The settings, as the report states them. */
  static String describe(Scale scale, boolean gcProfiler) {
    return scale.jmhForks()
        + " fork(s) × ("
        + scale.jmhWarmupIterations()
        + " warm-up + "
        + scale.jmhMeasurementIterations()
        + " measured iterations) × "
        + scale.jmhIterationTime().toMillis()
        + " ms, 1 thread, -Xmx1g"
        + (gcProfiler ? ", -prof gc" : "");
  }

  static Collection<RunResult> run(
      Scale scale, Class<?> benchmark, boolean gcProfiler, BenchContext context)
      throws RunnerException {
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include("^" + benchmark.getName().replace(".", "\\.") + "\\.")
            .forks(scale.jmhForks())
            .warmupIterations(scale.jmhWarmupIterations())
            .warmupTime(TimeValue.milliseconds(scale.jmhIterationTime().toMillis()))
            .measurementIterations(scale.jmhMeasurementIterations())
            .measurementTime(TimeValue.milliseconds(scale.jmhIterationTime().toMillis()))
            .threads(1)
            .jvmArgs(
                "-Xms1g",
                "-Xmx1g",
                "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener")
            .shouldFailOnError(true)
            .output(
                context.logDir().resolve("jmh-" + benchmark.getSimpleName() + ".log").toString());
    if (gcProfiler) {
      options.addProfiler(GCProfiler.class);
    }
    return new Runner(options.build()).run();
  }

  /** The result of the benchmark method {@code method}. */
  static RunResult of(Collection<RunResult> results, String method) {
    return results.stream()
        .filter(r -> r.getParams().getBenchmark().endsWith("." + method))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no JMH result for " + method));
  }

  static double score(RunResult result) {
    return result.getPrimaryResult().getScore();
  }

  /** The score's 99.9 % confidence half-width as JMH prints it, e.g. "± 12.3"; empty if unknown. */
  static String error(RunResult result) {
    double error = result.getPrimaryResult().getScoreError();
    return Double.isNaN(error) ? "" : "± " + Report.Figures.format(error);
  }

  /** Bytes allocated per operation ({@code gc.alloc.rate.norm} of {@code -prof gc}). */
  static Optional<Double> allocatedBytesPerOp(RunResult result) {
    for (Map.Entry<String, Result> e : result.getSecondaryResults().entrySet()) {
      if (e.getKey().endsWith("gc.alloc.rate.norm")) {
        return Optional.of(e.getValue().getScore());
      }
    }
    return Optional.empty();
  }
}
