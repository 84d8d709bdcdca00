package io.pmaccountstream.ops;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.pmaccountstream.config.Settings;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files a pod of the manifests sees, laid out under a local root exactly as the kubelet mounts
 * them: every ConfigMap volume's keys and every Secret volume's keys (from the contents given, by
 * Secret name) at {@code root + mountPath + "/" + key}. {@link #settings} then reads the
 * container's {@code --config} file from there, with each mount path in its values moved under the
 * root, so the code reads the same file names, in the same directories, that it reads in the pod.
 */
public final class PodFiles {

  static final String CONFIG_FLAG = "--config";

  private final Path root;
  private final Container container;
  private final Map<String, String> mounts = new LinkedHashMap<>();

  private PodFiles(Path root, Container container) {
    this.root = root;
    this.container = container;
  }

  /**
   * Renders {@code k8s/} and writes the files of the named workload's (Deployment's or
   * StatefulSet's) container under {@code root}, the Secret volumes from {@code secrets}.
   */
  public static PodFiles ofWorkload(
      Path k8s, String workload, Path root, Map<String, Map<String, String>> secrets) {
    List<HasMetadata> resources = Manifests.parse(Manifests.render(k8s).yaml());
    PodSpec pod =
        resources.stream()
            .filter(r -> r.getMetadata().getName().equals(workload))
            .map(
                r ->
                    r instanceof io.fabric8.kubernetes.api.model.apps.Deployment d
                        ? d.getSpec().getTemplate().getSpec()
                        : r instanceof io.fabric8.kubernetes.api.model.apps.StatefulSet s
                            ? s.getSpec().getTemplate().getSpec()
                            : null)
            .filter(java.util.Objects::nonNull)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no workload " + workload));
    return materialize(root, pod, resources, secrets);
  }

  /**
   * Writes the files of {@code pod}'s single container under {@code root}.
   *
   * @param secrets the content of each Secret by name and key (placeholders or real test values)
   * @throws AssertionError when a volume names a ConfigMap or Secret that is not given
   */
  static PodFiles materialize(
      Path root,
      PodSpec pod,
      List<HasMetadata> resources,
      Map<String, Map<String, String>> secrets) {
    Container container = pod.getContainers().get(0);
    PodFiles files = new PodFiles(root, container);
    for (VolumeMount mount : container.getVolumeMounts()) {
      Volume volume =
          pod.getVolumes().stream()
              .filter(v -> v.getName().equals(mount.getName()))
              .findFirst()
              .orElse(null);
      Map<String, String> content = null;
      if (volume != null && volume.getConfigMap() != null) {
        content = configMapData(resources, volume.getConfigMap().getName());
      } else if (volume != null && volume.getSecret() != null) {
        content = secrets.get(volume.getSecret().getSecretName());
        if (content == null) {
          throw new AssertionError("no Secret " + volume.getSecret().getSecretName());
        }
      }
      if (content != null) {
        files.write(mount.getMountPath(), content);
      }
    }
    return files;
  }

  private void write(String mountPath, Map<String, String> content) {
    Path dir = local(mountPath);
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, String> file : content.entrySet()) {
        Files.writeString(dir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    mounts.put(mountPath, dir.toString());
  }

  /** Where a path of the pod is on this machine. */
  public Path local(String podPath) {
    return root.resolve(podPath.substring(1));
  }

  /** The mount paths of ConfigMap and Secret volumes. */
  Map<String, String> mountPaths() {
    return Map.copyOf(mounts);
  }

  /** The {@code --config} argument of the container, if any. */
  Optional<String> configArgument() {
    List<String> args = container.getArgs();
    int flag = args.indexOf(CONFIG_FLAG);
    return flag < 0 || flag + 1 >= args.size() ? Optional.empty() : Optional.of(args.get(flag + 1));
  }

  /** The container's {@code --config} file as the pod sees it: raw key/values. */
  public Map<String, String> properties() {
    String config = configArgument().orElseThrow(() -> new AssertionError("no --config"));
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(local(config))) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k).trim()));
    return values;
  }

  /**
   * The pod's configuration: its {@code --config} file (mount paths moved under the root) and the
   * given environment.
   */
  public Settings settings(Map<String, String> environment) {
    Path localized = root.resolve("localized-" + container.getName() + ".properties");
    Properties properties = new Properties();
    properties().forEach((k, v) -> properties.setProperty(k, localize(v)));
    try (var out = Files.newBufferedWriter(localized)) {
      properties.store(out, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Settings.load(Optional.of(localized), environment, Map.of());
  }

  private String localize(String value) {
    String result = value;
    for (Map.Entry<String, String> mount : mounts.entrySet()) {
      result =
          result.replaceAll(
              Pattern.quote(mount.getKey()) + "(?![A-Za-z0-9._-])",
              Matcher.quoteReplacement(mount.getValue()));
    }
    return result;
  }

  private static Map<String, String> configMapData(List<HasMetadata> resources, String name) {
    return resources.stream()
        .filter(ConfigMap.class::isInstance)
        .map(ConfigMap.class::cast)
        .filter(c -> c.getMetadata().getName().equals(name))
        .findFirst()
        .map(ConfigMap::getData)
        .orElseThrow(() -> new AssertionError("no ConfigMap " + name));
  }
}
