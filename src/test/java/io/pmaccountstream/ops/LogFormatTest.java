package io.pmaccountstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the production {@code logback.xml} in a child JVM (logback reads the switch once, at start)
 * and checks what a log shipper would see on stderr, and that stdout stays clean.
 */
class LogFormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void textIsTheDefaultWithTheAccountInBrackets() throws Exception {
    Output output = runProbe(Map.of(), List.of());

    assertThat(output.stdout()).isEmpty();
    assertThat(output.stderrLines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("INFO")
                    .contains("[" + LogFormatProbe.ACCOUNT_ID + "]")
                    .contains(LogFormatProbe.MESSAGE));
    assertThat(output.stderrLines().get(0)).doesNotStartWith("{");
  }

  @Test
  void environmentSwitchesToOneJsonObjectPerLineWithTheMdc() throws Exception {
    Output output = runProbe(Map.of("PMAS_LOG_FORMAT", LogFormat.JSON), List.of());

    assertThat(output.stdout()).isEmpty();
    List<JsonNode> events = parseEachLine(output.stderrLines());
    assertThat(events).hasSize(2);
    JsonNode info = events.get(0);
    assertThat(info.path("level").asText()).isEqualTo("INFO");
    assertThat(info.path("formattedMessage").asText()).isEqualTo(LogFormatProbe.MESSAGE);
    assertThat(info.path("mdc").path("accountId").asText()).isEqualTo(LogFormatProbe.ACCOUNT_ID);
    assertThat(info.path("loggerName").asText()).isEqualTo("io.pmaccountstream.poller.Probe");
    JsonNode warn = events.get(1);
    assertThat(warn.path("throwable").path("className").asText())
        .isEqualTo(IllegalStateException.class.getName());
    assertThat(warn.path("throwable").path("message").asText()).isEqualTo("HTTP 503");
  }

  @Test
  void systemPropertySwitchesToJsonAndWinsOverTheEnvironment() throws Exception {
    Output json = runProbe(Map.of(), List.of("-Dpmas.log.format=json"));
    Output text =
        runProbe(Map.of("PMAS_LOG_FORMAT", LogFormat.JSON), List.of("-Dpmas.log.format=text"));

    assertThat(parseEachLine(json.stderrLines())).hasSize(2);
    assertThat(text.stderrLines().get(0)).doesNotStartWith("{");
  }

  @Test
  void anUnknownFormatFallsBackToText() throws Exception {
    Output output = runProbe(Map.of("PMAS_LOG_FORMAT", "yaml"), List.of());

    assertThat(output.stdout()).isEmpty();
    assertThat(output.stderrLines().get(0)).contains(LogFormatProbe.MESSAGE).doesNotStartWith("{");
  }

  private static List<JsonNode> parseEachLine(List<String> lines) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      events.add(JSON.readTree(line));
    }
    return events;
  }

  private Output runProbe(Map<String, String> env, List<String> jvmOptions) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(jvmOptions);
    // The production file, not the tests' logback-test.xml that the test classpath would pick
    // first.
    command.add("-Dlogback.configurationFile=" + LogFormatProbe.class.getResource("/logback.xml"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LogFormatProbe.class.getName());
    Path stdout = dir.resolve("stdout-" + System.nanoTime());
    Path stderr = dir.resolve("stderr-" + System.nanoTime());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    builder.environment().remove("PMAS_LOG_FORMAT");
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
    } finally {
      process.destroyForcibly();
    }
    assertThat(process.exitValue()).as("probe exit code").isZero();
    return new Output(
        Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
            .filter(l -> !l.isBlank() && !l.startsWith("\tat ") && !l.startsWith("\t..."))
            .toList());
  }

  private record Output(String stdout, List<String> stderrLines) {}
}
