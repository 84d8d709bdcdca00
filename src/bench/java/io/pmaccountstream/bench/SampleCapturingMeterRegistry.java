package io.pmaccountstream.bench;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.cumulative.CumulativeTimer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SimpleMeterRegistry} that also keeps every sample of one timer while capturing, so that
 * exact percentiles over a measurement window can be computed (Micrometer's own percentiles decay
 * over a time window that does not line up with ours).
 */
final class SampleCapturingMeterRegistry extends SimpleMeterRegistry {

  private final String timerName;
  private final Latencies samples = new Latencies();
  private volatile boolean capturing;

  SampleCapturingMeterRegistry(String timerName) {
    this.timerName = timerName;
  }

  void capture(boolean on) {
    capturing = on;
  }

  Latencies samples() {
    return samples;
  }

  @Override
  protected Timer newTimer(
      Meter.Id id, DistributionStatisticConfig config, PauseDetector pauseDetector) {
    if (!id.getName().equals(timerName)) {
      return super.newTimer(id, config, pauseDetector);
    }
    return new CumulativeTimer(id, clock, config, pauseDetector, getBaseTimeUnit(), false) {
      @Override
      protected void recordNonNegative(long amount, TimeUnit unit) {
        super.recordNonNegative(amount, unit);
        if (capturing) {
          samples.add(unit.toMicros(amount));
        }
      }
    };
  }
}
