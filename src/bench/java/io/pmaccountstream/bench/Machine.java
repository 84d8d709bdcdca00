package io.pmaccountstream.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What the figures were measured on: they mean little without it. */
record Machine(
    int cores,
    long memoryBytes,
    String cpuModel,
    String jdk,
    String os,
    Instant date,
    String gitCommit,
    double loadAverageAtStart) {

  static Machine describe() {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        os.getTotalMemorySize(),
        readCpuModel(),
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"),
        Instant.now().truncatedTo(ChronoUnit.SECONDS),
        System.getProperty("pmas.bench.gitCommit", "unknown"),
        os.getSystemLoadAverage());
  }

  private static String readCpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  String summary() {
    return String.format(
        Locale.ROOT,
        "%s, %d cores (%s), %.1f GiB, %s, %s, commit %s, load average %.1f at start",
        date,
        cores,
        cpuModel,
        memoryBytes / (1024.0 * 1024 * 1024),
        jdk,
        os,
        gitCommit,
        loadAverageAtStart);
  }

  Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("date", date.toString());
    map.put("cores", cores);
    map.put("cpuModel", cpuModel);
    map.put("memoryBytes", memoryBytes);
    map.put("jdk", jdk);
    map.put("os", os);
    map.put("gitCommit", gitCommit);
    map.put("loadAverageAtStart", loadAverageAtStart);
    return map;
  }
}
