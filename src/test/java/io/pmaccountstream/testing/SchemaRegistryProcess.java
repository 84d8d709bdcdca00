package io.pmaccountstream.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real schema registry (Apicurio Registry, Confluent-compatible API) as a child process on a
 * free 127.0.0.1 port. The runnable jar is built by {@code tools/schema-registry} (the root pom
 * does that during {@code mvn verify} when it is missing).
 */
final class SchemaRegistryProcess implements AutoCloseable {

  /** Directory of the registry module; failsafe passes it. */
  static final String DIR_PROPERTY = "pmas.schemaRegistry.dir";

  static final String CCOMPAT_PATH = "/apis/ccompat/v7";

  private static final Path JAR = Paths.get("target", "quarkus-app", "quarkus-run.jar");
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;
  private static final int LOG_TAIL_LINES = 40;

  private final Process process;
  private final String url;
  private final Path log;
  private final Thread shutdownHook;

  private SchemaRegistryProcess(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
    this.shutdownHook = new Thread(this::destroy, "schema-registry-shutdown");
  }

  /** Starts the registry and waits until its ccompat API answers. */
  static SchemaRegistryProcess start() {
    Path jar = registryJar();
    IllegalStateException lastFailure = null;
    // A freshly chosen port can be taken by another process before the registry binds it: retry.
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      SchemaRegistryProcess registry = launch(jar, LoopbackPorts.freePort());
      try {
        registry.awaitReady();
        return registry;
      } catch (IllegalStateException e) {
        registry.close();
        lastFailure = e;
        if (!registry.logTail().contains("already in use")) {
          break;
        }
      }
    }
    throw lastFailure;
  }

  /** The registry module: from failsafe's system property, else relative to the project. */
  static Path moduleDir() {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir != null) {
      return Paths.get(dir);
    }
    return Paths.get(System.getProperty("pmas.project.dir", "."), "tools", "schema-registry");
  }

  static Path registryJar() {
    return registryJar(moduleDir());
  }

  /** The runnable jar in the given module directory, or an error that says how to build it. */
  static Path registryJar(Path moduleDir) {
    Path jar = moduleDir.resolve(JAR).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "schema registry jar not found at "
              + jar
              + ": run mvn verify, which builds tools/schema-registry"
              + " (or: mvn -f tools/schema-registry/pom.xml package -DskipTests)");
    }
    return jar;
  }

  private static SchemaRegistryProcess launch(Path jar, int port) {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        List.of(
            java.toString(),
            "-Xmx256m",
            "-Dquarkus.http.host=" + LoopbackPorts.HOST,
            "-Dquarkus.http.port=" + port,
            "-jar",
            jar.toString());
    try {
      Path log = logFile(port);
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
              .start();
      SchemaRegistryProcess registry =
          new SchemaRegistryProcess(
              process, "http://" + LoopbackPorts.HOST + ":" + port + CCOMPAT_PATH, log);
      Runtime.getRuntime().addShutdownHook(registry.shutdownHook);
      return registry;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the schema registry " + command, e);
    }
  }

  /** Logs go next to the build output, where a developer looks after a failure. */
  private static Path logFile(int port) throws IOException {
    String projectDir = System.getProperty("pmas.project.dir");
    Path dir =
        projectDir != null
            ? Paths.get(projectDir, "target", "it-logs")
            : Files.createTempDirectory("schema-registry");
    Files.createDirectories(dir);
    return dir.resolve("schema-registry-" + port + ".log");
  }

  private static File nullDevice() {
    return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create(url + "/subjects"))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    String lastAnswer = "no answer";
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw failure("exited with code " + process.exitValue() + " before it was ready");
      }
      try {
        HttpResponse<String> response = http.send(probe, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        lastAnswer = "HTTP " + response.statusCode();
      } catch (ConnectException e) {
        lastAnswer = "connection refused";
      } catch (IOException e) {
        lastAnswer = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failure("interrupted while waiting for it");
      }
      pause();
    }
    throw failure(
        "GET "
            + probe.uri()
            + " did not answer 200 within "
            + READY_TIMEOUT
            + " ("
            + lastAnswer
            + ")");
  }

  private static void pause() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private IllegalStateException failure(String what) {
    return new IllegalStateException(
        "schema registry (pid "
            + process.pid()
            + ") "
            + what
            + "; last lines of "
            + log
            + ":\n"
            + logTail());
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** {@code http://127.0.0.1:PORT/apis/ccompat/v7} */
  String url() {
    return url;
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    destroy();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running or has run: it destroys the process itself.
    }
  }

  /** Stops the process and anything it started: TERM first, KILL after a timeout. */
  private void destroy() {
    List<ProcessHandle> tree = process.toHandle().descendants().toList();
    tree.forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
