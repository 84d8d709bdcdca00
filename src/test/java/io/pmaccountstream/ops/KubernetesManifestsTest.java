package io.pmaccountstream.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.pmaccountstream.cli.ConfigCatalog;
import io.pmaccountstream.cli.Main;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.poller.PollerGroupConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks {@code k8s/} against the code, not just its syntax: the environment it sets is
 * configuration the app declares ({@link ConfigCatalog}), probes hit what {@link OpsServer} serves
 * on the port {@link OpsConfig} reads, container arguments are subcommands of {@link Main}, topics
 * are {@link Topics}, and the image recipe runs as the user the pods require.
 */
class KubernetesManifestsTest {

  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private static final Path K8S = PROJECT.resolve("k8s");
  private static final Path SECRET_TEMPLATE = K8S.resolve("secret.template.yaml");

  /** Apart from the base: a PrometheusRule needs the Prometheus Operator's CRD. */
  private static final Path MONITORING = K8S.resolve("monitoring");

  private static final String PLACEHOLDER = "REPLACE_ME";
  private static final long IMAGE_USER = 10001;
  private static final Duration TWO_YEARS = Duration.ofDays(730);
  private static final long IMAGE_MAX_RAM_PERCENTAGE = 75;

  private static final Path PLAINTEXT_OVERLAY = K8S.resolve("overlays/plaintext");

  /** Environment variables of the JVM itself, not configuration keys of the app. */
  private static final Set<String> JVM_ENVIRONMENT = Set.of("JAVA_TOOL_OPTIONS");

  /** JVM memory outside the heap and RocksDB: metaspace, code cache, thread stacks, GC, NIO. */
  private static final long JVM_NON_HEAP_MIB = 256;

  /** Left free on top of heap, RocksDB and the JVM's own (RocksDB scratch, malloc arenas). */
  private static final double MEMORY_HEADROOM = 0.10;

  private static Manifests.Rendering rendering;
  private static List<HasMetadata> resources;
  private static Map<String, Secret> secretTemplates;

  @TempDir static Path podRoot;

  @BeforeAll
  static void renderAndParse() {
    assertThat(K8S.resolve("kustomization.yaml")).exists();
    rendering = Manifests.render(K8S);
    resources = Manifests.parse(rendering.yaml());
    secretTemplates = new LinkedHashMap<>();
    for (var document : Manifests.readDocuments(SECRET_TEMPLATE)) {
      Secret secret = (Secret) Manifests.parse(document);
      secretTemplates.put(secret.getMetadata().getName(), secret);
    }
  }

  // --- parsing ---------------------------------------------------------------------------------

  @Test
  void strictParsingRejectsAFieldTheModelDoesNotKnow() {
    String misspelt =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec:
          replica: 1
        """;
    String nested =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: x}
        spec:
          ports: [{name: http, port: 8080, targetport: http}]
        """;

    assertThatThrownBy(() -> Manifests.parse(misspelt)).hasMessageContaining("replica");
    assertThatThrownBy(() -> Manifests.parse(nested)).hasMessageContaining("targetport");
  }

  @Test
  void strictParsingRejectsAKindItWasNotToldAbout() {
    String ingress =
        """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: x}
        """;

    assertThatThrownBy(() -> Manifests.parse(ingress)).hasMessageContaining("unexpected kind");
  }

  @Test
  void rendersEveryExpectedResource() {
    assertThat(kindsAndNames())
        .contains(
            "Deployment/pm-account-stream-poller",
            "StatefulSet/pm-account-stream-derive",
            "Service/pm-account-stream-poller",
            "Service/pm-account-stream-derive",
            "PodDisruptionBudget/pm-account-stream-poller",
            "PodDisruptionBudget/pm-account-stream-derive",
            "NetworkPolicy/pm-account-stream-poller",
            "NetworkPolicy/pm-account-stream-derive",
            "ConfigMap/pm-account-stream-config",
            "ServiceAccount/pm-account-stream");
    assertThat(of(Secret.class)).as("the Secret is a template outside the base").isEmpty();
  }

  /**
   * Where kubectl is installed, the fallback renderer (what the other tests read without it)
   * renders the base and the plaintext overlay document for document as kustomize does, but for the
   * generated ConfigMaps' name hashes. Without kubectl there is no kustomize to compare with.
   */
  @Test
  void fallbackRendererAgreesWithKustomize() {
    assumeThat(rendering.byKubectl()).as("kubectl is installed").isTrue();

    for (Path dir : List.of(K8S, PLAINTEXT_OVERLAY)) {
      List<HasMetadata> kustomize = Manifests.parse(Manifests.kubectlKustomize(dir).orElseThrow());
      List<HasMetadata> fallback = Manifests.parse(Manifests.fallback(dir));

      assertThat(kindsAndNames(fallback)).as(dir.toString()).isEqualTo(kindsAndNames(kustomize));
      assertThat(configMapData(fallback)).as(dir.toString()).isEqualTo(configMapData(kustomize));
      assertThat(withoutHashes(fallback)).as(dir.toString()).isEqualTo(withoutHashes(kustomize));
    }
  }

  @Test
  void everyFileUnderK8sIsRenderedOrIsTheSecretTemplate() throws IOException {
    Set<Path> referenced = new TreeSet<>();
    referenced.add(SECRET_TEMPLATE);
    collectReferenced(K8S, referenced);
    collectReferenced(PLAINTEXT_OVERLAY, referenced);
    collectReferenced(MONITORING, referenced);

    try (Stream<Path> files = Files.walk(K8S)) {
      assertThat(files.filter(Files::isRegularFile).sorted().toList())
          .allSatisfy(
              file -> assertThat(referenced).as("files the kustomizations use").contains(file));
    }
  }

  // --- alerts ------------------------------------------------------------------------------------

  @Test
  void thePrometheusRuleAlertsOnStaleAccountsAndOnWhatLivenessWatches() {
    List<HasMetadata> monitoring = Manifests.parse(Manifests.render(MONITORING).yaml());
    assertThat(resources)
        .as("the base stays applicable without the Prometheus Operator")
        .noneMatch(r -> r.getKind().equals("PrometheusRule"));
    assertThat(monitoring)
        .singleElement()
        .extracting(HasMetadata::getKind)
        .isEqualTo("PrometheusRule");

    Map<String, JsonNode> alerts = new LinkedHashMap<>();
    for (JsonNode group : spec((GenericKubernetesResource) monitoring.get(0)).path("groups")) {
      assertThat(group.path("name").asText()).isNotBlank();
      for (JsonNode rule : group.path("rules")) {
        assertThat(alerts.put(rule.path("alert").asText(), rule)).as("unique alert names").isNull();
      }
    }

    assertThat(alerts)
        .containsKeys(
            "PmasAccountStale",
            "PmasAccountPausedAfterFatalAnswer",
            "PmasSnapshotsNotReachingKafka",
            "PmasSnapshotsConflated",
            "PmasPollerLoopStalled",
            "PmasPollerDown");
    assertThat(alerts.get("PmasAccountStale").path("expr").asText()).contains("pmas_account_stale");
    assertThat(alerts.get("PmasPollerLoopStalled").path("expr").asText())
        .contains("pmas_loop_stalled");
    assertThat(alerts.values())
        .allSatisfy(
            rule -> {
              assertThat(rule.path("expr").asText()).as(rule.path("alert").asText()).isNotBlank();
              assertThat(rule.path("labels").path("severity").asText()).isIn("warning", "critical");
              assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
              assertThat(fieldNames(rule))
                  .isSubsetOf("alert", "expr", "for", "labels", "annotations");
            });
  }

  // --- configuration against the code ------------------------------------------------------------

  @Test
  void everyEnvironmentVariableIsAConfigKeyTheAppReads() {
    List<String> unknown = new ArrayList<>();
    for (Workload workload : workloads()) {
      Map<String, String> env = environment(workload);
      Set<String> known = ConfigCatalog.environmentNames(accountIds(configOf(workload)));
      for (String name : env.keySet()) {
        if (!known.contains(name) && !JVM_ENVIRONMENT.contains(name)) {
          unknown.add(workload.name() + ": " + name);
        }
      }
    }

    assertThat(unknown)
        .as(
            "environment variables the manifests set that no ConfigCatalog field declares"
                + " (add the component's fields() to ConfigCatalog)")
        .isEmpty();
  }

  /** Reads each workload's environment with the components' own readers; add each new one. */
  @Test
  void theConfigurationTheManifestsSetIsValidForTheCode() {
    for (Workload workload : workloads()) {
      ConfigReader reader = configOf(workload);

      OpsConfig.from(reader);
      Topics.from(reader);
      KafkaConnection.from(reader);
      if (command(workload).equals("poll")) {
        io.pmaccountstream.binance.AccountCredentials.from(reader);
      } else {
        io.pmaccountstream.streams.DeriveApp.Settings.from(reader);
      }

      assertThat(reader.problems()).as(workload.name()).isEmpty();
    }
  }

  @Test
  void everyKeyOfTheMountedPropertiesIsAConfigKeyTheAppReads() {
    for (Workload workload : workloads()) {
      Map<String, String> properties = podFiles(workload).properties();
      assertThat(properties.keySet())
          .as(workload.name() + " keys of " + podFiles(workload).configArgument().orElseThrow())
          .allSatisfy(
              key ->
                  assertThat(
                          key.startsWith(KafkaConnection.CLIENT_PREFIX)
                              || ConfigCatalog.isKnownKey(key))
                      .as(key)
                      .isTrue());
    }
  }

  @Test
  void secretTemplateHoldsOnlyPlaceholders() {
    assertThat(secretTemplates).isNotEmpty();
    for (Secret secretTemplate : secretTemplates.values()) {
      assertThat(secretTemplate.getType()).isEqualTo("Opaque");
      assertThat(secretTemplate.getData()).as("base64 data would hide real values").isNullOrEmpty();
      assertThat(secretTemplate.getStringData()).isNotEmpty();
      assertThat(secretTemplate.getStringData().values()).containsOnly(PLACEHOLDER);
    }
  }

  @Test
  void secretTemplateDocumentsAKubectlLineForEverySecret() throws IOException {
    String template = Files.readString(SECRET_TEMPLATE);
    for (Secret secret : secretTemplates.values()) {
      StringBuilder line =
          new StringBuilder("create secret generic " + secret.getMetadata().getName());
      assertThat(template).contains(line);
      for (String key : secret.getStringData().keySet()) {
        assertThat(template)
            .as(secret.getMetadata().getName())
            .contains("--from-file=" + key + "=");
      }
    }
  }

  @Test
  void noSecretReachesAContainerThroughItsEnvironment() {
    for (Workload workload : workloads()) {
      assertThat(workload.container().getEnvFrom())
          .as(workload.name() + " envFrom")
          .allSatisfy(source -> assertThat(source.getSecretRef()).isNull());
      assertThat(workload.container().getEnv())
          .as(workload.name() + " env")
          .allSatisfy(
              variable ->
                  assertThat(
                          variable.getValueFrom() == null
                              || variable.getValueFrom().getSecretKeyRef() == null)
                      .as(variable.getName())
                      .isTrue());
      Map<String, String> env = environment(workload);
      for (ConfigField<?> field : ConfigCatalog.allFields()) {
        if (field.isSecret()) {
          assertThat(env).as(workload.name()).doesNotContainKey(Settings.envName(field.name()));
        }
      }
    }
  }

  @Test
  void noSecretValueSitsInTheMountedProperties() {
    for (Workload workload : workloads()) {
      Map<String, String> properties = podFiles(workload).properties();
      List<ConfigField<?>> secretFields = new ArrayList<>();
      ConfigCatalog.allFields().stream().filter(ConfigField::isSecret).forEach(secretFields::add);
      for (String account : accountIds(configOf(workload))) {
        ConfigCatalog.perAccountFields().stream()
            .filter(ConfigField::isSecret)
            .forEach(t -> secretFields.add(t.renamed(ConfigCatalog.forAccount(t, account))));
      }
      for (ConfigField<?> field : secretFields) {
        assertThat(properties).as(workload.name()).doesNotContainKey(field.name());
      }
      String jaas = properties.getOrDefault("kafka.sasl.jaas.config", "");
      assertThat(jaas)
          .as(workload.name() + " the JAAS password comes from a config provider")
          .doesNotContainPattern("password=\"[^$]");
    }
  }

  @Test
  void everySecretFileTheConfigurationNamesIsAKeyOfAMountedSecret() {
    for (Workload workload : workloads()) {
      PodFiles files = podFiles(workload);
      Map<String, String> properties = files.properties();
      List<String> secretPaths = new ArrayList<>();
      properties.forEach(
          (key, value) -> {
            if (readsKey(workload, key)
                && (key.endsWith(".file") || key.endsWith("truststore.location"))) {
              secretPaths.add(value);
            }
          });
      Matcher provided =
          Pattern.compile("\\$\\{dir:([^:}]+):([^}]+)}")
              .matcher(properties.getOrDefault("kafka.sasl.jaas.config", ""));
      while (provided.find()) {
        secretPaths.add(provided.group(1) + "/" + provided.group(2));
      }
      assertThat(secretPaths).as(workload.name()).isNotEmpty();
      for (String path : secretPaths) {
        assertThat(secretKeyAt(workload, path))
            .as(workload.name() + ": " + path + " is a key of a Secret volume")
            .isPresent();
      }
    }
  }

  @Test
  void everySecretReferencedExistsInTheTemplate() {
    for (Workload workload : workloads()) {
      for (Volume volume : workload.pod().getVolumes()) {
        if (volume.getSecret() != null) {
          assertThat(secretTemplates)
              .as(workload.name())
              .containsKey(volume.getSecret().getSecretName());
          assertThat(volume.getSecret().getOptional())
              .as(workload.name() + " a missing Secret stops the pod, not the app")
              .isNotEqualTo(Boolean.TRUE);
        }
      }
    }
    Set<String> used = new TreeSet<>();
    workloads()
        .forEach(
            w ->
                w.pod().getVolumes().stream()
                    .filter(v -> v.getSecret() != null)
                    .forEach(v -> used.add(v.getSecret().getSecretName())));
    assertThat(used).as("every template is mounted somewhere").isEqualTo(secretTemplates.keySet());
  }

  @Test
  void everyAccountReadsItsKeyAndSecretFromFilesOfAMountedSecret() {
    Workload poller = workload("pm-account-stream-poller");
    ConfigReader config = configOf(poller);
    List<String> accounts = accountIds(config);
    assertThat(accounts).isNotEmpty();
    Map<String, String> properties = podFiles(poller).properties();

    for (String account : accounts) {
      for (var template : ConfigCatalog.perAccountFields()) {
        if (template.isSecret()) {
          String fileKey = ConfigCatalog.forAccount(template, account) + ".file";
          assertThat(properties).as(poller.name()).containsKey(fileKey);
          assertThat(secretKeyAt(poller, properties.get(fileKey))).as(fileKey).isPresent();
        }
      }
    }
    assertThat(io.pmaccountstream.binance.AccountCredentials.from(config))
        .extracting(io.pmaccountstream.binance.AccountCredentials::accountId)
        .containsExactlyElementsOf(accounts);
  }

  // --- Kafka and registry security
  // ------------------------------------------------------------------

  @Test
  void kafkaClientsUseSaslSslWithScramAndTheMountedCa() {
    for (Workload workload : workloads()) {
      Map<String, Object> client = KafkaConnection.from(configOf(workload)).clientProperties();
      Map<String, String> raw = podFiles(workload).properties();

      assertThat(client)
          .as(workload.name())
          .containsEntry("security.protocol", "SASL_SSL")
          .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
          .containsEntry("ssl.truststore.type", "PEM")
          .containsEntry("config.providers", "dir")
          .containsEntry(
              "config.providers.dir.class",
              org.apache.kafka.common.config.provider.DirectoryConfigProvider.class.getName());
      assertThat(secretKeyAt(workload, raw.get("kafka.ssl.truststore.location")))
          .as(workload.name() + " truststore")
          .isPresent();
      assertThat(raw.get("kafka.sasl.jaas.config"))
          .startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required")
          .contains("password=\"${dir:");
    }
  }

  @Test
  void theMountedKafkaSettingsResolveTheScramPasswordFromItsFile() {
    for (Workload workload : workloads()) {
      Map<String, Object> client =
          new HashMap<>(KafkaConnection.from(configOf(workload)).clientProperties());
      client.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
      client.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class);

      var producer = new org.apache.kafka.clients.producer.ProducerConfig(client);

      assertThat(
              producer
                  .getPassword(org.apache.kafka.common.config.SaslConfigs.SASL_JAAS_CONFIG)
                  .value())
          .as(workload.name())
          .contains("password=\"" + PLACEHOLDER + "\"")
          .doesNotContain("${dir:");
    }
  }

  @Test
  void theRegistryIsHttpsWithCredentialsFromAFile() {
    for (Workload workload : workloads()) {
      ConfigReader config = configOf(workload);
      KafkaConnection connection = KafkaConnection.from(config);
      Map<String, String> raw = podFiles(workload).properties();

      assertThat(connection.schemaRegistryUrl().getScheme()).isEqualTo("https");
      assertThat(raw).doesNotContainKey(KafkaConnection.REGISTRY_ALLOW_INSECURE.name());
      assertThat(connection.registryAuthorization()).as(workload.name()).isPresent();
      assertThat(secretKeyAt(workload, raw.get("schema.registry.basic.auth.password.file")))
          .isPresent();
    }
  }

  // --- the plaintext overlay
  // -------------------------------------------------------------------------

  @Test
  void thePlaintextOverlayDropsTlsSaslAndTheirSecretsAndStaysValid() {
    // kubectl kustomize where installed, else the fallback, which applies the overlay's patches.
    List<HasMetadata> overlay = Manifests.parse(Manifests.render(PLAINTEXT_OVERLAY).yaml());

    assertThat(kindsAndNames(overlay)).isEqualTo(kindsAndNames());
    for (Workload workload : workloads(overlay)) {
      PodFiles files =
          PodFiles.materialize(
              podRoot.resolve("plaintext-" + workload.name()),
              workload.pod(),
              overlay,
              secretContents());
      ConfigReader config = new ConfigReader(files.settings(environment(workload, overlay)));
      KafkaConnection connection = KafkaConnection.from(config);
      OpsConfig.from(config);
      Topics.from(config);

      assertThat(config.problems()).as(workload.name()).isEmpty();
      assertThat(connection.clientProperties())
          .as(workload.name())
          .doesNotContainKeys("security.protocol", "sasl.jaas.config", "ssl.truststore.location");
      assertThat(connection.schemaRegistryUrl().getScheme()).isEqualTo("http");
      assertThat(
              workload.pod().getVolumes().stream()
                  .filter(v -> v.getSecret() != null)
                  .map(v -> v.getSecret().getSecretName()))
          .as(workload.name() + " secrets in the plaintext overlay")
          .isSubsetOf("pm-account-stream-binance");
      Set<String> egress = egressPorts(policyFor(workload, overlay));
      bootstrapPorts(connection.bootstrapServers())
          .forEach(port -> assertThat(egress).contains("TCP/" + port));
    }
  }

  @Test
  void thePlaintextOverlayKeepsEveryOtherSettingOfTheBase() {
    Map<String, String> base = Manifests.readProperties(K8S.resolve("app/pm.properties"));
    Map<String, String> plaintext =
        Manifests.readProperties(PLAINTEXT_OVERLAY.resolve("pm.properties"));
    Set<String> connectionKeys = new TreeSet<>();
    KafkaConnection.fields().forEach(f -> connectionKeys.add(f.name()));

    Map<String, String> baseRest = new TreeMap<>(base);
    Map<String, String> plaintextRest = new TreeMap<>(plaintext);
    for (Map<String, String> rest : List.of(baseRest, plaintextRest)) {
      rest.keySet()
          .removeIf(k -> connectionKeys.contains(k) || k.startsWith(KafkaConnection.CLIENT_PREFIX));
    }
    assertThat(plaintextRest).isEqualTo(baseRest);
  }

  // --- memory
  // ----------------------------------------------------------------------------------------

  @Test
  void deriveHeapPlusRocksDbPlusJvmOverheadFitsTheLimitWithHeadroom() {
    Workload derive = workload("pm-account-stream-derive");
    long limitMib = mebibytes(derive.container().getResources().getLimits().get("memory"));
    long heapMib = heapMib(derive, limitMib);
    Integer rocksDbMib =
        configOf(derive).get(io.pmaccountstream.streams.BoundedRocksDbConfig.MEMORY_MB);

    assertThat(rocksDbMib).as("derive.rocksdb.memory.mb").isNotNull().isPositive();
    assertThat(heapMib + rocksDbMib + JVM_NON_HEAP_MIB)
        .as(
            "heap %d + RocksDB %d + JVM non-heap %d MiB within %d MiB less %.0f%% headroom",
            heapMib, rocksDbMib, JVM_NON_HEAP_MIB, limitMib, MEMORY_HEADROOM * 100)
        .isLessThanOrEqualTo((long) (limitMib * (1 - MEMORY_HEADROOM)));
    assertThat(mebibytes(derive.container().getResources().getRequests().get("memory")))
        .as("memory request = limit: the budget above is guaranteed")
        .isEqualTo(limitMib);
  }

  @Test
  void pollerHeapPlusJvmOverheadFitsTheLimitWithHeadroom() {
    Workload poller = workload("pm-account-stream-poller");
    long limitMib = mebibytes(poller.container().getResources().getLimits().get("memory"));
    long heapMib = heapMib(poller, limitMib);

    assertThat(heapMib + JVM_NON_HEAP_MIB)
        .as(
            "heap %d + JVM non-heap %d MiB (no RocksDB) within %d MiB less %.0f%% headroom",
            heapMib, JVM_NON_HEAP_MIB, limitMib, MEMORY_HEADROOM * 100)
        .isLessThanOrEqualTo((long) (limitMib * (1 - MEMORY_HEADROOM)));
  }

  @Test
  void everyConfigMapReferencedIsRendered() {
    Set<String> configMaps =
        of(ConfigMap.class).stream()
            .map(c -> c.getMetadata().getName())
            .collect(Collectors.toSet());
    for (Workload workload : workloads()) {
      for (EnvFromSource source : workload.container().getEnvFrom()) {
        if (source.getConfigMapRef() != null) {
          assertThat(configMaps).as(workload.name()).contains(source.getConfigMapRef().getName());
        }
      }
    }
  }

  // --- what the app serves and runs
  // ----------------------------------------------------------------

  @Test
  void probesHitThePathsOpsServerServesOnThePortTheConfigOpens() {
    for (Workload workload : workloads()) {
      OpsConfig ops = OpsConfig.from(configOf(workload));
      Container container = workload.container();
      assertThat(ops.enabled()).as(workload.name() + " ops endpoint enabled").isTrue();
      assertThat(ops.bindAddress())
          .as(workload.name() + " binds all interfaces")
          .isEqualTo("0.0.0.0");

      assertProbe(workload, container.getLivenessProbe(), OpsServer.LIVE_PATH, ops.port());
      assertProbe(workload, container.getReadinessProbe(), OpsServer.READY_PATH, ops.port());
      if (container.getStartupProbe() != null) {
        assertProbe(workload, container.getStartupProbe(), OpsServer.LIVE_PATH, ops.port());
      }
      Map<String, String> annotations = workload.template().getMetadata().getAnnotations();
      assertThat(annotations)
          .containsEntry("prometheus.io/port", Integer.toString(ops.port()))
          .containsEntry("prometheus.io/path", OpsServer.METRICS_PATH);
    }
  }

  /** Between the end of the close and Kubernetes' SIGKILL: JVM exit, a slow node. */
  private static final Duration KILL_MARGIN = Duration.ofSeconds(5);

  @Test
  void theGracePeriodOutlastsTheShutdownTimeoutPlusClosingTheOpsEndpointAndMetrics() {
    // After SIGTERM the service stops within its shutdown timeout, then the shutdown hook waits
    // up to Service.CLOSE_GRACE for the ops endpoint, metrics and clients to close.
    Map<String, ConfigField<Duration>> timeouts =
        Map.of(
            "pm-account-stream-poller", io.pmaccountstream.poller.PollerConfig.SHUTDOWN_TIMEOUT,
            "pm-account-stream-derive", io.pmaccountstream.streams.DeriveConfig.SHUTDOWN_TIMEOUT);
    for (Workload workload : workloads()) {
      ConfigField<Duration> key = timeouts.get(workload.name());
      assertThat(key).as(workload.name() + " has a shutdown timeout").isNotNull();
      Duration shutdown = configOf(workload).get(key);
      Long grace = workload.pod().getTerminationGracePeriodSeconds();
      assertThat(grace).as(workload.name() + " terminationGracePeriodSeconds").isNotNull();
      Duration needed = shutdown.plus(io.pmaccountstream.cli.Service.CLOSE_GRACE).plus(KILL_MARGIN);
      assertThat(Duration.ofSeconds(grace))
          .as(
              "%s: grace %ss must exceed %s %s + close %s + margin %s",
              workload.name(),
              grace,
              key.name(),
              shutdown,
              io.pmaccountstream.cli.Service.CLOSE_GRACE,
              KILL_MARGIN)
          .isGreaterThanOrEqualTo(needed);
    }
  }

  @Test
  void theStartupProbesGuardTheStartOnLivenessSoARestoreOrATopicWaitIsNeverKilled() {
    // derive restores its store while Streams is REBALANCING and may wait for its input topic:
    // both are live (200 on /health/live) and not ready. A startupProbe on readiness would kill
    // such a pod once its window ran out; on liveness it only covers the JVM opening the endpoint.
    for (Workload workload : workloads()) {
      Probe startup = workload.container().getStartupProbe();
      assertThat(startup).as(workload.name() + " startupProbe").isNotNull();
      assertThat(startup.getHttpGet().getPath()).as(workload.name()).isEqualTo(OpsServer.LIVE_PATH);
      assertThat(window(startup))
          .as(workload.name() + " startupProbe period x failureThreshold (JVM start)")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(60));
      Probe liveness = workload.container().getLivenessProbe();
      assertThat(window(liveness))
          .as(workload.name() + " liveness rides out a stream thread being replaced")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(20));
    }
  }

  private static Duration window(Probe probe) {
    int period = probe.getPeriodSeconds() == null ? 10 : probe.getPeriodSeconds();
    int failures = probe.getFailureThreshold() == null ? 3 : probe.getFailureThreshold();
    return Duration.ofSeconds((long) period * failures);
  }

  @Test
  void servicesExposeTheOpsPortAsHttp() {
    for (Workload workload : workloads()) {
      int opsPort = OpsConfig.from(configOf(workload)).port();
      Service service = service(workload.name());

      assertThat(service.getSpec().getSelector())
          .isEqualTo(workload.template().getMetadata().getLabels());
      assertThat(service.getSpec().getPorts())
          .singleElement()
          .satisfies(
              port -> {
                assertThat(port.getName()).isEqualTo("http");
                assertThat(resolvePort(workload.container(), port.getTargetPort()))
                    .isEqualTo(opsPort);
              });
    }
  }

  @Test
  void containerArgumentsNameExistingSubcommands() {
    Set<String> subcommands = Main.commandLine().getSubcommands().keySet();
    List<String> unknown = new ArrayList<>();

    for (Workload workload : workloads()) {
      assertThat(workload.container().getCommand()).as("the image's entrypoint is kept").isEmpty();
      assertThat(workload.container().getArgs()).as(workload.name()).isNotEmpty();
      String command = workload.container().getArgs().get(0);
      if (!subcommands.contains(command)) {
        unknown.add(workload.name() + ": " + command);
      }
    }

    assertThat(unknown).as("container arguments that are not subcommands of Main").isEmpty();
  }

  @Test
  void everyContainerHasRequestsAndLimits() {
    for (Workload workload : workloads()) {
      ResourceRequirements resources = workload.container().getResources();
      for (String resource : List.of("cpu", "memory")) {
        Quantity request = resources.getRequests().get(resource);
        Quantity limit = resources.getLimits().get(resource);
        assertThat(request).as(workload.name() + " request " + resource).isNotNull();
        assertThat(limit).as(workload.name() + " limit " + resource).isNotNull();
        assertThat(limit.getNumericalAmount())
            .as(workload.name() + " limit >= request " + resource)
            .isGreaterThanOrEqualTo(request.getNumericalAmount());
      }
    }
  }

  @Test
  void everyPodRunsHardenedAsTheImageUser() {
    for (Workload workload : workloads()) {
      PodSpec pod = workload.pod();
      PodSecurityContext podContext = pod.getSecurityContext();
      assertThat(podContext.getRunAsNonRoot()).as(workload.name()).isTrue();
      assertThat(podContext.getRunAsUser()).as(workload.name()).isEqualTo(IMAGE_USER);
      assertThat(podContext.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(pod.getAutomountServiceAccountToken()).as(workload.name()).isFalse();
      assertThat(pod.getEnableServiceLinks())
          .as(workload.name() + " no injected service variables (PMAS_KAFKA_* would be settings)")
          .isFalse();

      SecurityContext context = workload.container().getSecurityContext();
      assertThat(context.getRunAsNonRoot()).as(workload.name()).isTrue();
      assertThat(context.getRunAsUser()).as(workload.name()).isEqualTo(IMAGE_USER);
      assertThat(context.getAllowPrivilegeEscalation()).as(workload.name()).isFalse();
      assertThat(context.getReadOnlyRootFilesystem()).as(workload.name()).isTrue();
      assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(Optional.ofNullable(context.getCapabilities()).map(Capabilities::getDrop))
          .as(workload.name() + " drops all capabilities")
          .hasValue(List.of("ALL"));
      assertThat(context.getCapabilities().getAdd()).isNullOrEmpty();
      assertThat(context.getPrivileged()).isNotEqualTo(Boolean.TRUE);

      assertThat(mountedFrom(workload, "/tmp"))
          .as(workload.name() + " /tmp is writable with a read-only root")
          .hasValueSatisfying(volume -> assertThat(volume.getEmptyDir()).isNotNull());
    }
  }

  @Test
  void pollerReplicasShareTheAccountsInOneGroupAndRollWithoutLosingCapacity() {
    Deployment poller = named(Deployment.class, "pm-account-stream-poller");
    Workload workload = workload("pm-account-stream-poller");
    PollerGroupConfig group = PollerGroupConfig.from(configOf(workload));
    GenericKubernetesResource assignment = topic(group.assignmentTopic());

    assertThat(poller.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    assertThat(group.groupId()).as("poller.group.id").isPresent();
    assertThat(spec(assignment).path("partitions").asInt())
        .as("replicas that can take a share")
        .isGreaterThanOrEqualTo(16)
        .isGreaterThanOrEqualTo(poller.getSpec().getReplicas());
    assertThat(poller.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(poller.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
  }

  @Test
  void deriveRunsTwoInstancesWithAStandbyOfEachStore() {
    StatefulSet derive = named(StatefulSet.class, "pm-account-stream-derive");
    Workload workload = workload("pm-account-stream-derive");

    assertThat(derive.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    assertThat(configOf(workload).settings().get("kafka.num.standby.replicas"))
        .hasValueSatisfying(n -> assertThat(Integer.parseInt(n)).isPositive());
  }

  @Test
  void deriveKeepsItsStateOnAClaimAtTheConfiguredStateDir() {
    StatefulSet derive = named(StatefulSet.class, "pm-account-stream-derive");
    Workload workload = workload("pm-account-stream-derive");
    String stateDir = configOf(workload).settings().get("derive.state.dir").orElse(null);

    assertThat(stateDir).isNotBlank();
    VolumeMount mount =
        workload.container().getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals(stateDir))
            .findFirst()
            .orElseThrow(() -> new AssertionError("nothing mounted at " + stateDir));
    assertThat(derive.getSpec().getVolumeClaimTemplates())
        .extracting(claim -> claim.getMetadata().getName())
        .contains(mount.getName());
    assertThat(derive.getSpec().getServiceName())
        .isEqualTo(service("pm-account-stream-derive").getMetadata().getName());
    assertThat(service("pm-account-stream-derive").getSpec().getClusterIP()).isEqualTo("None");
  }

  @Test
  void deriveReplicasDoNotExceedTheSnapshotPartitions() {
    StatefulSet derive = named(StatefulSet.class, "pm-account-stream-derive");
    GenericKubernetesResource snapshots = topic(Topics.defaults().snapshots());

    assertThat(derive.getSpec().getReplicas())
        .isLessThanOrEqualTo(spec(snapshots).path("partitions").asInt());
  }

  @Test
  void everyWorkloadHasADisruptionBudget() {
    for (Workload workload : workloads()) {
      Map<String, String> labels = workload.template().getMetadata().getLabels();
      assertThat(of(PodDisruptionBudget.class))
          .as(workload.name())
          .anySatisfy(
              pdb ->
                  assertThat(labels)
                      .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels()));
    }
  }

  // --- network
  // ---------------------------------------------------------------------------------------

  @Test
  void networkPoliciesLetInOnlyTheOpsPortAndOutOnlyWhatTheAppUses() {
    for (Workload workload : workloads()) {
      ConfigReader config = configOf(workload);
      int opsPort = OpsConfig.from(config).port();
      KafkaConnection kafka = KafkaConnection.from(config);
      NetworkPolicy policy = policyFor(workload);

      assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
      assertThat(policy.getSpec().getIngress())
          .allSatisfy(
              rule ->
                  assertThat(rule.getPorts())
                      .extracting(p -> p.getPort().getIntVal())
                      .containsExactly(opsPort));

      Set<String> allowed = egressPorts(policy);
      Set<String> expected = new TreeSet<>(Set.of("UDP/53", "TCP/53"));
      bootstrapPorts(kafka.bootstrapServers()).forEach(p -> expected.add("TCP/" + p));
      expected.add("TCP/" + portOf(kafka.schemaRegistryUrl()));
      assertThat(allowed).as(workload.name() + " egress").containsAll(expected);

      Set<String> extra = new TreeSet<>(allowed);
      extra.removeAll(expected);
      extra.remove("TCP/9093"); // Kafka over TLS, for clusters that use it
      if (workload.container().getArgs().get(0).equals("poll")) {
        assertThat(extra)
            .as("poller egress beyond Kafka, registry and DNS")
            .containsOnly("TCP/443");
      } else {
        assertThat(extra).as(workload.name() + " egress beyond Kafka, registry and DNS").isEmpty();
      }
    }
  }

  @Test
  void egressGoesOnlyToNamedPeersOrToPublicAddressesOn443() {
    for (Workload workload : workloads()) {
      NetworkPolicy policy = policyFor(workload);
      for (NetworkPolicyEgressRule rule : policy.getSpec().getEgress()) {
        List<String> ports =
            rule.getPorts().stream()
                .map(p -> Optional.ofNullable(p.getProtocol()).orElse("TCP") + "/" + p.getPort())
                .toList();
        assertThat(rule.getTo())
            .as(workload.name() + " egress " + ports + " names its peers (no 'any IP')")
            .isNotEmpty();
        for (NetworkPolicyPeer peer : rule.getTo()) {
          if (peer.getIpBlock() != null) {
            assertThat(command(workload)).as("only the poller talks to Binance").isEqualTo("poll");
            assertThat(rule.getPorts())
                .singleElement()
                .satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(443));
            assertThat(peer.getIpBlock().getExcept())
                .as("no private range on 443")
                .contains("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16");
          } else {
            assertThat(peer.getNamespaceSelector()).as(workload.name()).isNotNull();
            assertThat(peer.getNamespaceSelector().getMatchLabels())
                .as(workload.name() + " " + ports + ": a named namespace, never all of them")
                .containsKey("kubernetes.io/metadata.name");
            assertThat(peer.getPodSelector()).as(workload.name()).isNotNull();
            assertThat(peer.getPodSelector().getMatchLabels()).isNotEmpty();
          }
        }
      }
    }
  }

  @Test
  void kafkaAndRegistryPeersArePlaceholdersTheOperationsGuideExplains() throws IOException {
    String guide = Files.readString(PROJECT.resolve("docs/operations.md"));
    Set<String> placeholders = new TreeSet<>();
    for (Workload workload : workloads()) {
      for (NetworkPolicyEgressRule rule : policyFor(workload).getSpec().getEgress()) {
        for (NetworkPolicyPeer peer : rule.getTo()) {
          Stream.of(peer.getNamespaceSelector(), peer.getPodSelector())
              .filter(java.util.Objects::nonNull)
              .flatMap(selector -> selector.getMatchLabels().values().stream())
              .filter(value -> value.startsWith("PLACEHOLDER_"))
              .forEach(placeholders::add);
        }
      }
    }

    assertThat(placeholders)
        .containsExactlyInAnyOrder(
            "PLACEHOLDER_KAFKA_NAMESPACE",
            "PLACEHOLDER_KAFKA_CLUSTER",
            "PLACEHOLDER_REGISTRY_NAMESPACE",
            "PLACEHOLDER_REGISTRY_NAME");
    assertThat(guide).contains(placeholders);
  }

  // --- topics
  // ----------------------------------------------------------------------------------------

  @Test
  void topicsAreTheOnesTheAppUsesUnderTheirOwnNames() {
    Topics defaults = Topics.defaults();
    Set<String> names =
        Set.of(
            defaults.snapshots(),
            defaults.statusTransitions(),
            defaults.lowUniMmr(),
            defaults.latest(),
            defaults.deadLetter(),
            defaults.deriveDeadLetter(),
            defaults.riskLevelChanges(),
            PollerGroupConfig.ASSIGNMENT_TOPIC.defaultValue().orElseThrow());

    assertThat(of(GenericKubernetesResource.class))
        .allSatisfy(
            topic -> {
              assertThat(topic.getKind()).isEqualTo("KafkaTopic");
              assertThat(spec(topic).path("topicName").asText())
                  .isEqualTo(topic.getMetadata().getName());
              assertThat(topic.getMetadata().getLabels()).containsKey("strimzi.io/cluster");
            })
        .extracting(t -> t.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(names);
    for (Workload workload : workloads()) {
      assertThat(Topics.from(configOf(workload))).as(workload.name()).isEqualTo(defaults);
    }
  }

  @Test
  void topicSpecsUseOnlyFieldsAndConfigsKafkaKnows() throws IllegalAccessException {
    Set<String> topicConfigs = new TreeSet<>();
    for (Field field : TopicConfig.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getName().endsWith("_CONFIG")) {
        topicConfigs.add((String) field.get(null));
      }
    }

    for (GenericKubernetesResource topic : of(GenericKubernetesResource.class)) {
      JsonNode spec = spec(topic);
      assertThat(fieldNames(spec))
          .as(topic.getMetadata().getName())
          .isSubsetOf("topicName", "partitions", "replicas", "config");
      assertThat(spec.path("partitions").asInt()).isPositive();
      int replicas = spec.path("replicas").asInt();
      assertThat(fieldNames(spec.path("config"))).isSubsetOf(topicConfigs);
      assertThat(spec.path("config").path(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).asInt(1))
          .as("min.insync.replicas leaves room for one broker down")
          .isLessThan(replicas);
    }
  }

  @Test
  void topicSettingsFitWhatEachTopicIsFor() {
    Topics topics = Topics.defaults();
    JsonNode snapshots = spec(topic(topics.snapshots())).path("config");
    JsonNode latest = spec(topic(topics.latest())).path("config");
    JsonNode dlq = spec(topic(topics.deadLetter())).path("config");

    long snapshotRetention = snapshots.path(TopicConfig.RETENTION_MS_CONFIG).asLong();
    assertThat(snapshotRetention == -1 || snapshotRetention >= TWO_YEARS.toMillis())
        .as("snapshots kept for backtesting (retention.ms = %s)", snapshotRetention)
        .isTrue();
    assertThat(snapshots.path(TopicConfig.CLEANUP_POLICY_CONFIG).asText()).isEqualTo("delete");
    assertThat(latest.path(TopicConfig.CLEANUP_POLICY_CONFIG).asText()).isEqualTo("compact");
    assertThat(dlq.path(TopicConfig.RETENTION_MS_CONFIG).asLong())
        .isEqualTo(Duration.ofDays(14).toMillis());
  }

  // --- the image
  // ------------------------------------------------------------------------------------

  @Test
  void imageRecipeRunsTheShadedJarAsTheUserThePodsRequire() throws IOException {
    String dockerfile = Files.readString(PROJECT.resolve("Dockerfile"));
    String pom = Files.readString(PROJECT.resolve("pom.xml"));
    Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
    assertThat(finalName.find()).as("pom finalName").isTrue();
    String jar = finalName.group(1) + ".jar";

    assertThat(dockerfile)
        .containsPattern("(?m)^FROM eclipse-temurin:17-jre\\s*$")
        .containsPattern("(?m)^USER " + IMAGE_USER + "(:" + IMAGE_USER + ")?\\s*$")
        .containsPattern("(?m)^EXPOSE " + OpsConfig.DEFAULT_PORT + "\\s*$")
        .contains("target/" + jar + " /app/" + jar)
        .contains(
            "ENTRYPOINT [\"java\",\"-XX:MaxRAMPercentage=75\",\"-jar\",\"/app/" + jar + "\"]");
    assertThat(Files.readString(PROJECT.resolve(".dockerignore"))).contains("!src/main/");
  }

  // --- helpers
  // ---------------------------------------------------------------------------------------

  /** A Deployment's or StatefulSet's pod template and its single container. */
  record Workload(String name, PodTemplateSpec template) {
    PodSpec pod() {
      return template.getSpec();
    }

    Container container() {
      assertThat(pod().getContainers()).as(name + " containers").hasSize(1);
      return pod().getContainers().get(0);
    }
  }

  private static List<Workload> workloads() {
    return workloads(resources);
  }

  private static List<Workload> workloads(List<HasMetadata> from) {
    List<Workload> workloads = new ArrayList<>();
    of(Deployment.class, from)
        .forEach(
            d -> workloads.add(new Workload(d.getMetadata().getName(), d.getSpec().getTemplate())));
    of(StatefulSet.class, from)
        .forEach(
            s -> workloads.add(new Workload(s.getMetadata().getName(), s.getSpec().getTemplate())));
    assertThat(workloads).hasSize(2);
    return workloads;
  }

  private static Workload workload(String name) {
    return workloads().stream()
        .filter(w -> w.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no workload " + name));
  }

  /**
   * The environment a container gets: its ConfigMaps and its own env entries, in Kubernetes' order
   * (later wins); a Secret reference (refused by a test) would count as the template's keys.
   */
  private static Map<String, String> environment(Workload workload) {
    return environment(workload, resources);
  }

  private static Map<String, String> environment(Workload workload, List<HasMetadata> from) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource source : workload.container().getEnvFrom()) {
      assertThat(source.getPrefix()).as("envFrom prefix").isNull();
      if (source.getConfigMapRef() != null) {
        env.putAll(named(ConfigMap.class, source.getConfigMapRef().getName(), from).getData());
      }
      if (source.getSecretRef() != null) {
        env.putAll(secretTemplates.get(source.getSecretRef().getName()).getStringData());
      }
    }
    for (EnvVar variable : workload.container().getEnv()) {
      env.put(variable.getName(), variable.getValue() == null ? PLACEHOLDER : variable.getValue());
    }
    return env;
  }

  /** The Secret templates' keys and placeholder values, by Secret name. */
  private static Map<String, Map<String, String>> secretContents() {
    Map<String, Map<String, String>> contents = new HashMap<>();
    secretTemplates.forEach((name, secret) -> contents.put(name, secret.getStringData()));
    return contents;
  }

  /** The pod's ConfigMap and Secret volumes as files under a temporary root. */
  private static PodFiles podFiles(Workload workload) {
    return PodFiles.materialize(
        podRoot.resolve(workload.name()), workload.pod(), resources, secretContents());
  }

  /**
   * The configuration a workload's container reads: its {@code --config} file as mounted, with the
   * Secret templates' placeholders as the secret files, and its environment.
   */
  private static ConfigReader configOf(Workload workload) {
    return new ConfigReader(podFiles(workload).settings(environment(workload)));
  }

  private static List<String> accountIds(ConfigReader config) {
    return config.read(io.pmaccountstream.binance.AccountCredentials.ACCOUNTS).orElse(List.of());
  }

  /** Whether the workload's command reads the key: derive reads no Binance credentials. */
  private static boolean readsKey(Workload workload, String key) {
    boolean credentials =
        key.startsWith("account.")
            || io.pmaccountstream.binance.AccountCredentials.fields().stream()
                .anyMatch(f -> f.name().equals(key));
    return command(workload).equals("poll") || !credentials;
  }

  private static String command(Workload workload) {
    return workload.container().getArgs().get(0);
  }

  /** The Secret and key mounted at {@code path} in the workload's container, if any. */
  private static Optional<String> secretKeyAt(Workload workload, String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (VolumeMount mount : workload.container().getVolumeMounts()) {
      String dir =
          mount.getMountPath().endsWith("/") ? mount.getMountPath() : mount.getMountPath() + "/";
      if (!path.startsWith(dir)) {
        continue;
      }
      String key = path.substring(dir.length());
      Optional<Volume> volume =
          workload.pod().getVolumes().stream()
              .filter(v -> v.getName().equals(mount.getName()) && v.getSecret() != null)
              .findFirst();
      if (volume.isPresent()) {
        Secret template = secretTemplates.get(volume.get().getSecret().getSecretName());
        if (template != null && template.getStringData().containsKey(key)) {
          return Optional.of(template.getMetadata().getName() + "/" + key);
        }
      }
    }
    return Optional.empty();
  }

  /** -Xmx from JAVA_TOOL_OPTIONS when set (it wins), else the image's MaxRAMPercentage=75. */
  private static long heapMib(Workload workload, long limitMib) {
    String options = environment(workload).getOrDefault("JAVA_TOOL_OPTIONS", "");
    Matcher xmx = Pattern.compile("-Xmx(\\d+)([mMgG])").matcher(options);
    if (xmx.find()) {
      long amount = Long.parseLong(xmx.group(1));
      return xmx.group(2).equalsIgnoreCase("g") ? amount * 1024 : amount;
    }
    assertThat(options).doesNotContain("MaxRAMPercentage");
    return limitMib * IMAGE_MAX_RAM_PERCENTAGE / 100;
  }

  private static long mebibytes(Quantity quantity) {
    return Quantity.getAmountInBytes(quantity)
        .divide(java.math.BigDecimal.valueOf(1024L * 1024L))
        .longValueExact();
  }

  private static void assertProbe(Workload workload, Probe probe, String path, int port) {
    assertThat(probe).as(workload.name() + " probe for " + path).isNotNull();
    HTTPGetAction get = probe.getHttpGet();
    assertThat(get).as(workload.name() + " " + path + " is an HTTP probe").isNotNull();
    assertThat(get.getPath()).as(workload.name()).isEqualTo(path);
    assertThat(resolvePort(workload.container(), get.getPort()))
        .as(workload.name())
        .isEqualTo(port);
  }

  private static int resolvePort(Container container, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container.getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
  }

  private static Optional<Volume> mountedFrom(Workload workload, String path) {
    return workload.container().getVolumeMounts().stream()
        .filter(m -> m.getMountPath().equals(path))
        .findFirst()
        .flatMap(
            m ->
                workload.pod().getVolumes().stream()
                    .filter(v -> v.getName().equals(m.getName()))
                    .findFirst());
  }

  private static NetworkPolicy policyFor(Workload workload) {
    return policyFor(workload, resources);
  }

  private static NetworkPolicy policyFor(Workload workload, List<HasMetadata> from) {
    Map<String, String> labels = workload.template().getMetadata().getLabels();
    List<NetworkPolicy> matching =
        of(NetworkPolicy.class, from).stream()
            .filter(
                p ->
                    labels
                        .entrySet()
                        .containsAll(p.getSpec().getPodSelector().getMatchLabels().entrySet()))
            .toList();
    assertThat(matching).as(workload.name() + " network policies").hasSize(1);
    return matching.get(0);
  }

  private static Set<String> egressPorts(NetworkPolicy policy) {
    Set<String> ports = new TreeSet<>();
    for (NetworkPolicyEgressRule rule : policy.getSpec().getEgress()) {
      assertThat(rule.getPorts()).as("every egress rule names its ports").isNotEmpty();
      for (NetworkPolicyPort port : rule.getPorts()) {
        ports.add(
            Optional.ofNullable(port.getProtocol()).orElse("TCP")
                + "/"
                + port.getPort().getIntVal());
      }
    }
    return ports;
  }

  private static List<Integer> bootstrapPorts(String bootstrapServers) {
    return Arrays.stream(bootstrapServers.split(","))
        .map(String::trim)
        .map(hostPort -> Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)))
        .toList();
  }

  private static int portOf(URI url) {
    if (url.getPort() > 0) {
      return url.getPort();
    }
    return "https".equals(url.getScheme()) ? 443 : 80;
  }

  private static GenericKubernetesResource topic(String name) {
    return named(GenericKubernetesResource.class, name);
  }

  private static JsonNode spec(GenericKubernetesResource resource) {
    return new ObjectMapper().valueToTree(resource.getAdditionalProperties().get("spec"));
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Service service(String name) {
    return named(Service.class, name);
  }

  private static <T extends HasMetadata> List<T> of(Class<T> type) {
    return of(type, resources);
  }

  private static <T extends HasMetadata> List<T> of(Class<T> type, List<HasMetadata> from) {
    return from.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T named(Class<T> type, String name) {
    return named(type, name, resources);
  }

  /** By name; a generated ConfigMap matches its name without kustomize's hash suffix. */
  private static <T extends HasMetadata> T named(
      Class<T> type, String name, List<HasMetadata> from) {
    return of(type, from).stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
  }

  private static List<String> kindsAndNames() {
    return kindsAndNames(resources);
  }

  private static List<String> kindsAndNames(List<HasMetadata> list) {
    return list.stream().map(r -> r.getKind() + "/" + withoutHash(r)).sorted().toList();
  }

  /** Every document as sorted JSON, generated ConfigMap names (and references to them) unhashed. */
  private static List<String> withoutHashes(List<HasMetadata> list) {
    ObjectMapper json =
        new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    List<String> documents = new ArrayList<>();
    for (HasMetadata resource : list) {
      String text;
      try {
        text = json.writeValueAsString(resource);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (JsonNode generator :
          Manifests.readTree(K8S.resolve("app/kustomization.yaml")).path("configMapGenerator")) {
        String name = Pattern.quote(generator.path("name").asText());
        text = text.replaceAll("\"(" + name + ")-[a-z0-9]{10}\"", "\"$1\"");
      }
      documents.add(text);
    }
    return documents.stream().sorted().toList();
  }

  private static Map<String, Map<String, String>> configMapData(List<HasMetadata> list) {
    Map<String, Map<String, String>> data = new HashMap<>();
    list.stream()
        .filter(ConfigMap.class::isInstance)
        .map(ConfigMap.class::cast)
        .forEach(c -> data.put(withoutHash(c), c.getData()));
    return data;
  }

  /**
   * kustomize appends "-" and a 10-character hash to generated ConfigMap names (matched against the
   * generators' names: "-properties" alone would look like a hash).
   */
  private static String withoutHash(HasMetadata resource) {
    String name = resource.getMetadata().getName();
    if (resource instanceof ConfigMap) {
      for (JsonNode generator :
          Manifests.readTree(K8S.resolve("app/kustomization.yaml")).path("configMapGenerator")) {
        String generated = generator.path("name").asText();
        if (name.matches(Pattern.quote(generated) + "(-[a-z0-9]{10})?")) {
          return generated;
        }
      }
    }
    return name;
  }

  private static void collectReferenced(Path dir, Set<Path> into) {
    Path kustomization = dir.resolve("kustomization.yaml");
    into.add(kustomization);
    JsonNode tree = Manifests.readTree(kustomization);
    for (JsonNode resource : tree.path("resources")) {
      Path path = dir.resolve(resource.asText()).normalize();
      if (Files.isDirectory(path)) {
        collectReferenced(path, into);
      } else {
        into.add(path);
      }
    }
    for (JsonNode generator : tree.path("configMapGenerator")) {
      generator.path("envs").forEach(e -> into.add(dir.resolve(e.asText()).normalize()));
      generator.path("files").forEach(f -> into.add(dir.resolve(f.asText()).normalize()));
    }
    for (JsonNode patch : tree.path("patches")) {
      if (patch.has("path")) {
        into.add(dir.resolve(patch.path("path").asText()).normalize());
      }
    }
  }
}
