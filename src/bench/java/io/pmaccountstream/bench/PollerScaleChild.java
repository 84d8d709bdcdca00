package io.pmaccountstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.poller.PollerApp;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Section 5's poller process: runs {@link PollerApp} from a properties file (as {@code poll
 * --config} does) and measures itself over a window after a warm-up: process CPU time, heap after a
 * full GC, polls started and the exact scheduling lag of each ({@code pmas.poll.schedule.lag}).
 * Prints {@code WINDOW-START}, {@code WINDOW-END} and one {@code RESULT {json}} line on stdout.
 *
 * <p>Arguments: {@code <config file> <warm-up seconds> <window seconds>}.
 */
public final class PollerScaleChild {

  static final String LAG_TIMER = "pmas.poll.schedule.lag";

  private PollerScaleChild() {}

  public static void main(String[] args) throws Exception {
    Path config = Path.of(args[0]);
    Duration warmUp = Duration.ofSeconds(Long.parseLong(args[1]));
    Duration window = Duration.ofSeconds(Long.parseLong(args[2]));
    PollerApp.Settings settings =
        PollerApp.Settings.from(
            new ConfigReader(Settings.load(Optional.of(config), Map.of(), Map.of())));
    SampleCapturingMeterRegistry meters = new SampleCapturingMeterRegistry(LAG_TIMER);
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    PollerApp app = PollerApp.create(settings, meters);
    app.start();
    Thread.sleep(warmUp.toMillis());

    long gcBefore = gcMillis();
    long cpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    meters.capture(true);
    System.out.println("WINDOW-START");
    System.out.flush();
    Thread.sleep(window.toMillis());
    meters.capture(false);
    long cpuEnd = os.getProcessCpuTime();
    long end = System.nanoTime();
    System.out.println("WINDOW-END");
    System.out.flush();
    long gcInWindow = gcMillis() - gcBefore;

    System.gc();
    System.gc();
    long heapAfterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    Latencies lag = meters.samples();
    double seconds = (end - start) / 1e9;
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("windowSeconds", seconds);
    result.put("cpuCores", (cpuEnd - cpuStart) / 1e9 / seconds);
    result.put("heapAfterGcBytes", heapAfterGc);
    result.put("gcMillisInWindow", gcInWindow);
    result.put("pollsStarted", lag.count());
    result.put("pollsPerSecond", lag.count() / seconds);
    result.put("lagP50Millis", lag.percentileMillis(50));
    result.put("lagP99Millis", lag.percentileMillis(99));
    result.put("lagMaxMillis", lag.maxMillis());
    result.put("unsentAtEnd", app.unsent());
    System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
    System.out.flush();
    app.shutdown(Duration.ofSeconds(20));
    System.exit(0);
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime)
        .sum();
  }
}
