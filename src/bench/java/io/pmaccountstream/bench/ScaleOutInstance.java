package io.pmaccountstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@code pm-account-stream poll} or {@code derive} process of the scale-out section, started as
 * an operator starts it ({@code Main <command> --config <file>}) in a {@link ChildJvm}, with its
 * ops endpoint on a loopback port. Measured from outside: CPU time and peak RSS from {@code
 * /proc/<pid>}, heap used after a GC ({@code jcmd <pid> GC.run}, then the heap gauges of {@code
 * /metrics}). {@link #kill()} is {@code kill -9}.
 */
final class ScaleOutInstance implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final ChildJvm jvm;
  private final int opsPort;

  private ScaleOutInstance(String name, ChildJvm jvm, int opsPort) {
    this.name = name;
    this.jvm = jvm;
    this.opsPort = opsPort;
  }

  /**
   * Writes {@code settings} (plus the ops endpoint) to a properties file and starts the command.
   */
  static ScaleOutInstance start(
      String name,
      String command,
      Map<String, String> settings,
      List<String> jvmOptions,
      BenchContext context)
      throws IOException {
    int port = freePort();
    Properties props = new Properties();
    props.putAll(settings);
    props.put("ops.http.port", Integer.toString(port));
    props.put("ops.http.bind", "127.0.0.1");
    Path config = context.workDir().resolve(name + ".properties");
    try (var out = Files.newBufferedWriter(config)) {
      props.store(out, "bench scale-out " + name);
    }
    ChildJvm jvm =
        ChildJvm.start(
            name,
            jvmOptions,
            "io.pmaccountstream.cli.Main",
            List.of(command, "--config", config.toString()),
            context.logDir(),
            line -> {});
    return new ScaleOutInstance(name, jvm, port);
  }

  String name() {
    return name;
  }

  boolean isAlive() {
    return jvm.isAlive();
  }

  /** SIGKILL, as {@code kill -9}; waits until the process is gone. */
  void kill() throws Exception {
    ProcessHandle handle = ProcessHandle.of(jvm.pid()).orElseThrow();
    handle.destroyForcibly();
    try {
      handle.onExit().get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(name + " still runs 30 s after SIGKILL", e);
    }
  }

  /** The process's CPU time so far (user + system, all threads). */
  Duration cpuTime() {
    return ProcessHandle.of(jvm.pid())
        .flatMap(h -> h.info().totalCpuDuration())
        .orElseThrow(() -> new IllegalStateException(name + ": no CPU time (process gone?)"));
  }

  /** Peak resident set size ({@code VmHWM} of {@code /proc/<pid>/status}) in bytes. */
  long peakRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(jvm.pid()), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(name + ": no VmHWM in /proc/" + jvm.pid() + "/status");
  }

  /** Runs a full GC in the process ({@code jcmd GC.run}), then reads the heap in use. */
  long heapUsedAfterGcBytes() throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process gc =
        new ProcessBuilder(jcmd.toString(), Long.toString(jvm.pid()), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
      gc.destroyForcibly();
      throw new IllegalStateException(name + ": jcmd GC.run failed");
    }
    return (long) sum(metrics(), "jvm_memory_used_bytes", "area=\"heap\"");
  }

  /** A gauge or counter of {@code /metrics}: the sum of the series whose labels contain a text. */
  double metric(String name, String labelPart) {
    return sum(metrics(), name, labelPart);
  }

  /** The Prometheus text of {@code /metrics}. */
  String metrics() {
    HttpResponse<String> response = get("/metrics");
    if (response.statusCode() != 200) {
      throw new IllegalStateException(name + " /metrics answered " + response.statusCode());
    }
    return response.body();
  }

  /** Status of {@code /health/ready}; 0 when nothing answers. */
  int readyStatus() {
    try {
      return get("/health/ready").statusCode();
    } catch (UncheckedIOException e) {
      return 0;
    }
  }

  private HttpResponse<String> get(String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(name + " GET " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Sum of the samples of {@code metric} whose label set contains {@code labelPart}. */
  static double sum(String prometheusText, String metric, String labelPart) {
    double total = 0;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
        String labels = line.startsWith(metric + "{") ? line.substring(0, line.indexOf('}')) : "";
        if (labels.contains(labelPart)) {
          String[] parts = line.trim().split("\\s+");
          total += Double.parseDouble(parts[parts.length - 1]);
        }
      }
    }
    return total;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket =
        new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  /** SIGTERM, then SIGKILL after 20 s (see {@link ChildJvm#close()}). */
  @Override
  public void close() {
    jvm.close();
  }
}
