package io.pmaccountstream.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Renders {@code k8s/} or an overlay of it (with {@code kubectl kustomize} when installed, else by
 * reading the files the kustomizations list and applying their patches) and parses every document
 * into the fabric8 Kubernetes model, strictly: a field the model does not know fails the parse,
 * where the model's own mapper would file it under "additional properties" and carry on.
 */
final class Manifests {

  /** The kinds the manifests may contain, by {@code apiVersion/kind}. */
  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "v1/ServiceAccount", ServiceAccount.class,
          "v1/ConfigMap", ConfigMap.class,
          "v1/Secret", Secret.class,
          "v1/Service", Service.class,
          "apps/v1/Deployment", Deployment.class,
          "apps/v1/StatefulSet", StatefulSet.class,
          "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
          "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
          // No model class for Strimzi or the Prometheus Operator here: the tests check their
          // specs field by field.
          "kafka.strimzi.io/v1beta2/KafkaTopic", GenericKubernetesResource.class,
          "monitoring.coreos.com/v1/PrometheusRule", GenericKubernetesResource.class);

  private static final ObjectMapper STRICT = strictMapper();

  private Manifests() {}

  private static ObjectMapper strictMapper() {
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    SimpleModule noAnySetter = new SimpleModule("strict-fabric8");
    noAnySetter.setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public BeanDeserializerBuilder updateBuilder(
              DeserializationConfig config,
              BeanDescription description,
              BeanDeserializerBuilder builder) {
            Class<?> type = description.getBeanClass();
            if (type.getName().startsWith("io.fabric8.")
                && type != GenericKubernetesResource.class) {
              builder.setAnySetter(null);
              builder.setIgnoreUnknownProperties(false);
            }
            return builder;
          }
        });
    mapper.registerModule(noAnySetter);
    return mapper;
  }

  /** The rendered text of a kustomization directory and how it was obtained. */
  record Rendering(String yaml, boolean byKubectl) {}

  /** {@code kubectl kustomize dir} if kubectl is on the PATH, else the fallback. */
  static Rendering render(Path dir) {
    Optional<String> kubectl = kubectlKustomize(dir);
    return kubectl
        .map(y -> new Rendering(y, true))
        .orElseGet(() -> new Rendering(fallback(dir), false));
  }

  /**
   * The kubectl to run, {@code kubectl} on the PATH unless this system property names another: a
   * path that does not exist renders as a machine without kubectl does ({@code
   * -Dpmas.kubectl=none}).
   */
  static final String KUBECTL_PROPERTY = "pmas.kubectl";

  static Optional<String> kubectlKustomize(Path dir) {
    Process process;
    Path out;
    try {
      out = Files.createTempFile("kustomize", ".yaml");
      process =
          new ProcessBuilder(
                  System.getProperty(KUBECTL_PROPERTY, "kubectl"), "kustomize", dir.toString())
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.PIPE)
              .start();
    } catch (IOException notInstalled) {
      return Optional.empty();
    }
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("kubectl kustomize " + dir + " did not finish in 60 s");
      }
      String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException("kubectl kustomize " + dir + " failed:\n" + errors);
      }
      return Optional.of(Files.readString(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      process.destroyForcibly();
      out.toFile().delete();
    }
  }

  /**
   * What kustomize would render, for the features these manifests and their overlay use: {@code
   * resources} (files and directories), {@code configMapGenerator} with {@code envs} and {@code
   * files} (without the name hash; {@code behavior: replace} replaces the data of the ConfigMap a
   * resource already generated), {@code patches} (strategic merge, in a file or inline, and JSON
   * 6902 inline, see {@link KustomizePatches}), {@code labels} (on metadata only) and {@code
   * images}. Anything else in a kustomization fails, so the fallback cannot silently drift.
   */
  static String fallback(Path dir) {
    List<ObjectNode> documents = fallbackDocuments(dir);
    StringBuilder yaml = new StringBuilder();
    for (ObjectNode document : documents) {
      try {
        yaml.append("---\n").append(STRICT.writeValueAsString(document));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return yaml.toString();
  }

  private static List<ObjectNode> fallbackDocuments(Path dir) {
    JsonNode kustomization = readTree(dir.resolve("kustomization.yaml"));
    onlyFields(
        kustomization,
        dir,
        "apiVersion",
        "kind",
        "resources",
        "configMapGenerator",
        "patches",
        "images",
        "labels");
    List<ObjectNode> documents = new ArrayList<>();
    for (JsonNode resource : kustomization.path("resources")) {
      Path path = dir.resolve(resource.asText());
      if (Files.isDirectory(path)) {
        documents.addAll(fallbackDocuments(path));
      } else {
        documents.addAll(readDocuments(path));
      }
    }
    for (JsonNode generator : kustomization.path("configMapGenerator")) {
      generate(dir, generator, documents);
    }
    for (JsonNode patch : kustomization.path("patches")) {
      onlyFields(patch, dir, "path", "patch", "target");
      String text = patch.has("path") ? readText(dir.resolve(patch.path("path").asText())) : null;
      KustomizePatches.apply(
          patch.has("path") ? text : patch.path("patch").asText(),
          patch.path("target"),
          documents,
          dir);
    }
    for (JsonNode label : kustomization.path("labels")) {
      onlyFields(label, dir, "pairs");
      for (ObjectNode document : documents) {
        ObjectNode metadata = document.with("metadata");
        label
            .path("pairs")
            .fields()
            .forEachRemaining(p -> metadata.with("labels").set(p.getKey(), p.getValue()));
      }
    }
    for (JsonNode image : kustomization.path("images")) {
      String replacement =
          image.path("newName").asText(image.path("name").asText())
              + (image.has("newTag") ? ":" + image.path("newTag").asText() : "");
      for (ObjectNode document : documents) {
        document
            .findParents("image")
            .forEach(
                parent -> {
                  if (parent.path("image").asText().equals(image.path("name").asText())) {
                    ((ObjectNode) parent).put("image", replacement);
                  }
                });
      }
    }
    return documents;
  }

  private static void generate(Path dir, JsonNode generator, List<ObjectNode> documents) {
    onlyFields(generator, dir, "name", "behavior", "envs", "files");
    String name = generator.path("name").asText();
    ObjectNode configMap = STRICT.createObjectNode();
    configMap.put("apiVersion", "v1").put("kind", "ConfigMap");
    configMap.putObject("metadata").put("name", name);
    ObjectNode data = configMap.putObject("data");
    for (JsonNode envs : generator.path("envs")) {
      readEnvFile(dir.resolve(envs.asText())).forEach(data::put);
    }
    for (JsonNode file : generator.path("files")) {
      String entry = file.asText();
      int equals = entry.indexOf('=');
      Path path = dir.resolve(equals < 0 ? entry : entry.substring(equals + 1));
      String key = equals < 0 ? path.getFileName().toString() : entry.substring(0, equals);
      data.put(key, readText(path));
    }
    Optional<ObjectNode> existing =
        documents.stream()
            .filter(d -> d.path("kind").asText().equals("ConfigMap"))
            .filter(d -> d.path("metadata").path("name").asText().equals(name))
            .findFirst();
    String behavior = generator.path("behavior").asText("create");
    switch (behavior) {
      case "create" -> {
        if (existing.isPresent()) {
          throw new IllegalStateException("ConfigMap " + name + " generated twice, in " + dir);
        }
        documents.add(configMap);
      }
      case "replace" ->
          existing
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "behavior: replace of ConfigMap "
                              + name
                              + " that no resource has, in "
                              + dir))
              .set("data", data);
      default ->
          throw new IllegalStateException(
              "the fallback renderer does not support behavior: " + behavior + " in " + dir);
    }
  }

  private static void onlyFields(JsonNode node, Path dir, String... supported) {
    List<String> known = List.of(supported);
    node.fieldNames()
        .forEachRemaining(
            field -> {
              if (!known.contains(field)) {
                throw new IllegalStateException(
                    "the fallback renderer does not support '" + field + "' in " + dir);
              }
            });
  }

  private static String readText(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** KEY=VALUE lines; blank lines and # comments skipped, as kustomize reads env files. */
  static Map<String, String> readEnvFile(Path file) {
    Map<String, String> values = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String trimmed = line.trim();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        int equals = trimmed.indexOf('=');
        if (equals <= 0) {
          throw new IllegalStateException("not KEY=VALUE in " + file + ": " + line);
        }
        values.put(trimmed.substring(0, equals), trimmed.substring(equals + 1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return values;
  }

  /** A properties file's keys and trimmed values. */
  static Map<String, String> readProperties(Path file) {
    java.util.Properties properties = new java.util.Properties();
    try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k).trim()));
    return values;
  }

  static JsonNode readTree(Path file) {
    try {
      return STRICT.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first YAML document of a text, or null when it has none. */
  static JsonNode readYaml(String text) {
    try {
      return STRICT.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<ObjectNode> readDocuments(Path file) {
    try {
      return documents(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<ObjectNode> documents(String yaml) {
    List<ObjectNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = STRICT.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode document = it.next();
        if (document != null && !document.isNull() && !document.isEmpty()) {
          documents.add((ObjectNode) document);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return documents;
  }

  /** Every document as its model class; an unknown kind or field fails with its location. */
  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> resources = new ArrayList<>();
    for (ObjectNode document : documents(yaml)) {
      resources.add(parse(document));
    }
    return resources;
  }

  static HasMetadata parse(ObjectNode document) {
    String key = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
    Class<? extends HasMetadata> type = KINDS.get(key);
    if (type == null) {
      throw new IllegalArgumentException(
          "unexpected kind " + key + " (" + document.path("metadata").path("name") + ")");
    }
    try {
      return STRICT.treeToValue(document, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          key + " " + document.path("metadata").path("name") + ": " + e.getOriginalMessage(), e);
    }
  }
}
