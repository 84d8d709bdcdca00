package io.pmaccountstream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One of our commands ({@code poll}, {@code derive}) in its own JVM, as an operator runs it: a
 * properties file, its own ops endpoint on a loopback port ({@code /health/live}, {@code
 * /health/ready}, {@code /metrics}), its output in a log file. Stopped with SIGTERM, or killed with
 * SIGKILL ({@link #kill()}) for crash tests; {@link #close()} ends it whatever happened.
 */
public final class AppProcess implements AutoCloseable {

  /** What an ops endpoint answered. */
  public record Answer(int status, String body) {}

  private static final List<Process> LIVE = new java.util.concurrent.CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(Process::destroyForcibly), "app-process-reaper"));
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final Process process;
  private final int opsPort;
  private final Path log;

  private AppProcess(String name, Process process, int opsPort, Path log) {
    this.name = name;
    this.process = process;
    this.opsPort = opsPort;
    this.log = log;
  }

  /**
   * Starts {@code pm-account-stream <command> --config <file>} with {@code settings} (plus {@code
   * ops.http.port} and {@code ops.http.bind=127.0.0.1}), on this JVM's classpath.
   */
  public static AppProcess start(
      String name, String command, Map<String, String> settings, Path dir, List<String> jvmOptions)
      throws IOException {
    Files.createDirectories(dir);
    int port = LoopbackPorts.freePort();
    Properties props = new Properties();
    props.putAll(settings);
    props.put("ops.http.port", Integer.toString(port));
    props.put("ops.http.bind", LoopbackPorts.HOST);
    Path config = dir.resolve(name + ".properties");
    try (var out = Files.newBufferedWriter(config)) {
      props.store(out, name);
    }
    Path log = dir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener");
    cmd.addAll(jvmOptions);
    cmd.add("io.pmaccountstream.cli.Main");
    cmd.add(command);
    cmd.add("--config");
    cmd.add(config.toString());
    Process process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    LIVE.add(process);
    return new AppProcess(name, process, port, log);
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  public Answer live() {
    return get("/health/live");
  }

  public Answer ready() {
    return get("/health/ready");
  }

  /** The Prometheus text of {@code /metrics}. */
  public String metrics() {
    Answer answer = get("/metrics");
    if (answer.status() != 200) {
      throw new IllegalStateException(name + " /metrics answered " + answer);
    }
    return answer.body();
  }

  /** GET on the ops endpoint; status 0 and the error when nothing answers. */
  public Answer get(String path) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      return new Answer(0, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(0, "interrupted");
    }
  }

  /** SIGKILL, as {@code kill -9}: no shutdown hook runs. Waits until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then SIGKILL if it has not ended within {@code timeout}; returns the exit code. */
  public int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
    }
    return process.exitValue();
  }

  /** The last lines of the log, for failure messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(20));
    }
  }
}
