package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's pipeline section shows how to run N pollers and N derive instances on one host: the
 * environment variables and keys it uses must be the code's, and the instances it starts must not
 * collide (a shared instance id fences, a shared state directory cannot be locked twice).
 */
class ReadmeScaleOutCommandsTest {

  private static final Pattern ENV = Pattern.compile("\\b(PMAS_[A-Z0-9_]+)=(\\S+)");
  private static final Pattern APPENDED_KEY =
      Pattern.compile("echo '([a-z0-9.\\-_]+)=[^']*' >> pm\\.properties");

  private static String pipelineSection() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("## The pipeline");
    int end = readme.indexOf("\n## ", start + 1);
    assertThat(start).as("README has a pipeline section").isNotNegative();
    return readme.substring(start, end);
  }

  private static Set<String> knownKeys() {
    return ConfigCatalog.allFields().stream().map(ConfigField::name).collect(Collectors.toSet());
  }

  @Test
  void everyVariableAndKeyOfThePipelineSectionIsAConfigurationKey() throws IOException {
    String section = pipelineSection();
    Set<String> known = knownKeys();
    Matcher env = ENV.matcher(section);
    List<String> variables = new ArrayList<>();
    while (env.find()) {
      variables.add(env.group(1));
      Optional<String> key = Settings.keyOf(env.group(1));
      assertThat(key).as("key of %s", env.group(1)).isPresent();
      assertThat(known).as("keys the code declares").contains(key.get());
    }
    assertThat(variables)
        .contains("PMAS_POLLER_INSTANCE_ID", "PMAS_DERIVE_INSTANCE_ID", "PMAS_DERIVE_STATE_DIR");
    Matcher appended = APPENDED_KEY.matcher(section);
    List<String> keys = new ArrayList<>();
    while (appended.find()) {
      keys.add(appended.group(1));
    }
    assertThat(keys).contains("poller.group.id", "kafka.num.standby.replicas");
    for (String key : keys) {
      assertThat(known.contains(key) || key.startsWith("kafka."))
          .as("%s is a declared key or a kafka.* pass-through", key)
          .isTrue();
    }
  }

  @Test
  void theInstancesItStartsOnOneHostHaveTheirOwnIdsAndStateDirectories() throws IOException {
    Map<String, List<Map<String, String>>> byCommand = new TreeMap<>();
    for (String line : pipelineSection().split("\n")) {
      Matcher command = Pattern.compile("bin/pm-account-stream (poll|derive) ").matcher(line);
      if (!command.find() || !line.startsWith("PMAS_")) {
        continue;
      }
      Map<String, String> env = new TreeMap<>();
      Matcher m = ENV.matcher(line.substring(0, command.start()));
      while (m.find()) {
        env.put(m.group(1), m.group(2));
      }
      byCommand.computeIfAbsent(command.group(1), c -> new ArrayList<>()).add(env);
    }
    assertThat(byCommand.getOrDefault("poll", List.of()))
        .as("pollers started")
        .hasSizeGreaterThan(1);
    assertThat(byCommand.getOrDefault("derive", List.of()))
        .as("derive instances started")
        .hasSizeGreaterThan(1);
    assertDistinct(byCommand.get("poll"), "PMAS_POLLER_INSTANCE_ID");
    assertDistinct(byCommand.get("derive"), "PMAS_DERIVE_INSTANCE_ID");
    assertDistinct(byCommand.get("derive"), "PMAS_DERIVE_STATE_DIR");
  }

  private static void assertDistinct(List<Map<String, String>> instances, String variable) {
    List<String> values = instances.stream().map(env -> env.get(variable)).toList();
    assertThat(values).as(variable + " of each instance").doesNotContainNull();
    assertThat(values).as(variable + " of each instance").doesNotHaveDuplicates();
  }
}
