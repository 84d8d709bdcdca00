package io.pmaccountstream.bench.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A process the chaos run started (the broker, the registry): its output appended to a log file;
 * stopped with SIGTERM or killed with SIGKILL, by its own PID only; killed when the run's JVM
 * exits.
 */
final class ChildProcess implements AutoCloseable {

  private static final List<Process> LIVE = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "chaos-reaper"));
  }

  private final String name;
  private final Process process;

  private ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    LIVE.add(process);
  }

  static ChildProcess start(String name, List<String> command, Path log) throws IOException {
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new ChildProcess(name, process);
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the process to exit by itself; fails past {@code seconds}. */
  int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " did not finish within " + seconds + " s");
    }
    LIVE.remove(process);
    return process.exitValue();
  }

  /** SIGTERM; SIGKILL after {@code seconds}. */
  void stop(long seconds) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    LIVE.remove(process);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop(30);
    }
    LIVE.remove(process);
  }
}
