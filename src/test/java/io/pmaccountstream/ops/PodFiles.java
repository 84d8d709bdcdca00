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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files a pod of the manifests sees, laid out under a local root exactly as the kubelet mounts
 * them: every ConfigMap volume's keys and every Secret volume's keys (from the contents given, by
 * Secret name) at {@code root + mountPath + "/" + key}. {@link #settings} then reads the
 * container's {@code --config} file from there, with each mount path in its values moved under the
 * root, so the code reads the same file names, in the same directories, that it reads in the pod.
 *
 * <p>As the kubelet's atomic writer does, each key is a symbolic link {@code key -> ..data/key},
 * {@code ..data} a link to a timestamped directory {@code ..2024_05_01_12_00_00.1234567890} that
 * holds the files (with a Secret's {@code defaultMode}), so a reader that refuses symbolic links,
 * or lists the directory and takes every entry for a key, fails here as it would in the pod.
 */
public final class PodFiles {

  static final String CONFIG_FLAG = "--config";

  /** The kubelet's default mode of Secret and ConfigMap files, 0644. */
  private static final int DEFAULT_MODE = 0644;

  private static final String DATA_LINK = "..data";

  /** The kubelet's prefix of the directory of one version of a volume's files (a random rest). */
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("'..'yyyy_MM_dd_HH_mm_ss'.'").withZone(ZoneOffset.UTC);

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
      if (volume != null && volume.getConfigMap() != null) {
        files.write(
            mount.getMountPath(),
            configMapData(resources, volume.getConfigMap().getName()),
            volume.getConfigMap().getDefaultMode());
      } else if (volume != null && volume.getSecret() != null) {
        Map<String, String> content = secrets.get(volume.getSecret().getSecretName());
        if (content == null) {
          throw new AssertionError("no Secret " + volume.getSecret().getSecretName());
        }
        files.write(mount.getMountPath(), content, volume.getSecret().getDefaultMode());
      }
    }
    return files;
  }

  /**
   * Mounts a Secret volume the manifests do not have, as an overlay would add it (for example the
   * registry CA of docs/operations.md, "Registry TLS"), in the kubelet's layout.
   */
  public void mountSecret(String mountPath, Map<String, String> content) {
    write(mountPath, content, DEFAULT_MODE);
  }

  /**
   * Writes a volume's files as the kubelet's atomic writer does, also over an earlier copy: a new
   * timestamped directory, {@code ..data} swung to it by a rename, the earlier directory removed.
   */
  private void write(String mountPath, Map<String, String> content, Integer defaultMode) {
    Path dir = local(mountPath);
    try {
      Files.createDirectories(dir);
      Path data = Files.createTempDirectory(dir, TIMESTAMP.format(Instant.now()));
      Files.setPosixFilePermissions(data, permissions(0755));
      Set<PosixFilePermission> mode = permissions(defaultMode == null ? DEFAULT_MODE : defaultMode);
      for (Map.Entry<String, String> file : content.entrySet()) {
        Path written =
            Files.writeString(data.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(written, mode);
      }
      Path link = dir.resolve(DATA_LINK);
      Optional<Path> previous =
          Files.isSymbolicLink(link)
              ? Optional.of(dir.resolve(Files.readSymbolicLink(link)))
              : Optional.empty();
      Path newLink = Files.createSymbolicLink(dir.resolve(DATA_LINK + "_tmp"), data.getFileName());
      Files.move(newLink, link, StandardCopyOption.ATOMIC_MOVE);
      for (String key : content.keySet()) {
        if (!Files.isSymbolicLink(dir.resolve(key))) {
          Files.createSymbolicLink(dir.resolve(key), Path.of(DATA_LINK, key));
        }
      }
      if (previous.isPresent()) {
        try (Stream<Path> files = Files.list(previous.get())) {
          for (Path file : files.toList()) {
            Files.delete(file);
          }
        }
        Files.delete(previous.get());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    mounts.put(mountPath, dir.toString());
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << (bits.length - 1 - i))) != 0) {
        permissions.add(bits[i]);
      }
    }
    return permissions;
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
