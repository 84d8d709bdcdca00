package io.pmaccountstream.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A separate JVM on the benchmark's own classpath: Kafka's tools, the derive app and the poller run
 * in their own process so that their CPU, heap and JIT are theirs alone. Standard output is kept
 * (and may be watched line by line); standard error goes to a log file. A child still running when
 * the benchmark JVM exits is killed. To profile one, pass JVM options by its name, e.g. {@code
 * BENCH_JAVA_OPTS='-Dbench.child.derive-1t.jvmOptions=-XX:StartFlightRecording=filename=d.jfr'}.
 */
final class ChildJvm implements AutoCloseable {

  private static final List<Process> LIVE = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "child-reaper"));
  }

  private final Process process;
  private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
  private final Thread reader;
  private final String name;

  private ChildJvm(String name, Process process, Consumer<String> onLine) {
    this.name = name;
    this.process = process;
    LIVE.add(process);
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  stdout.add(line);
                  onLine.accept(line);
                }
              } catch (IOException e) {
                // the process went away; what was read is kept
              }
            },
            name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code mainClass} with the given JVM options and arguments. */
  static ChildJvm start(
      String name,
      List<String> jvmOptions,
      String mainClass,
      List<String> args,
      Path logDir,
      Consumer<String> onLine)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener");
    command.addAll(jvmOptions);
    String extra = System.getProperty("bench.child." + name + ".jvmOptions", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.add(mainClass);
    command.addAll(args);
    java.nio.file.Files.createDirectories(logDir);
    Process process =
        new ProcessBuilder(command)
            .redirectError(logDir.resolve(name + ".stderr.log").toFile())
            .start();
    return new ChildJvm(name, process, onLine);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the process to end; kills it and fails past the timeout. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      close();
      throw new IllegalStateException(name + " did not finish within " + timeout);
    }
    reader.join(5_000);
    LIVE.remove(process);
    return process.exitValue();
  }

  List<String> stdout() {
    synchronized (stdout) {
      return List.copyOf(stdout);
    }
  }

  /** Asks the process to stop (SIGTERM), then kills it if it has not within 20 s. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    LIVE.remove(process);
  }
}
