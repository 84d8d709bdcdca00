package io.pmaccountstream.streams;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.unauthorized;
import static io.pmaccountstream.streams.DeriveItSupport.readAll;
import static io.pmaccountstream.streams.DeriveItSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.ops.PodFiles;
import io.pmaccountstream.poller.PollerApp;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.serde.SchemaRegistryException;
import io.pmaccountstream.simulator.BinancePmSimulator;
import io.pmaccountstream.simulator.SimulatedAccount;
import io.pmaccountstream.streams.DeriveItSupport.Outputs;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import io.pmaccountstream.testing.TestTls;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * poll and derive on a broker that accepts clients only on SASL_SSL (SCRAM-SHA-512, a CA generated
 * here), configured by the properties file the k8s manifests mount ({@code k8s/app/pm.properties},
 * read through the rendered ConfigMap) with the secret files laid out as the manifests' Secret
 * volumes mount them, in the kubelet's layout of symbolic links. The registry is reached as those
 * settings say, over https with basic auth (the password file from the Secret {@code
 * pm-account-stream-registry}), through a {@link RegistryFront} with a certificate of its own CA.
 * Only what differs between clusters comes as flags: the addresses, the state directory and the
 * registry's private CA (docs/operations.md, "Registry TLS"). Snapshots flow through to derived
 * events, which are exactly their derivation.
 */
class SaslSslDeploymentIT {

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final String USER = "pm-account-stream";
  private static final String HOST = "127.0.0.1";
  private static final String REGISTRY_CA_DIR = "/etc/pm-account-stream/registry-ca";

  private static int freePort() throws IOException {
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }

  @TempDir Path dir;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void pollAndDeriveRunOnSaslSslWithTheMountedFilesOfTheManifests() throws Exception {
    String scramPassword = UUID.randomUUID().toString();
    TestTls tls = TestTls.generate(dir.resolve("tls"));
    Broker broker = Broker.start(dir.resolve("kafka"), tls);
    toClose.add(broker);
    broker.createScramUser(USER, scramPassword);
    broker.createTopics(Topics.defaults().snapshots(), Topics.defaults().deadLetter());
    assertThat(broker.plaintextClientToTheSaslSslListener().describeCluster().clusterId())
        .as("without the mounted settings a client cannot talk to the applications' listener")
        .failsWithin(Duration.ofSeconds(10));

    BinancePmSimulator simulator =
        BinancePmSimulator.builder().scenario("calm").accounts(1).seed(11).build().start();
    toClose.add(simulator);
    SimulatedAccount account = simulator.accounts().get(0);
    account.set(new BigDecimal("2.0"), "NORMAL");

    String registryPassword = UUID.randomUUID().toString();
    TestTls registryTls = TestTls.generate(dir.resolve("registry-tls"));
    RegistryFront front = RegistryFront.start(registry.url(), registryTls, USER, registryPassword);
    toClose.add(front);

    Map<String, Map<String, String>> secrets = new HashMap<>();
    secrets.put(
        "pm-account-stream-binance",
        Map.of(
            "main.api-key",
            account.credentials().apiKey(),
            "main.secret",
            account.credentials().hmacSecret().orElseThrow().reveal()));
    secrets.put("pm-account-stream-kafka-credentials", Map.of("password", scramPassword));
    secrets.put("pm-account-stream-kafka-ca", Map.of("ca.crt", tls.caPem()));
    secrets.put("pm-account-stream-registry", Map.of("password", registryPassword));

    Map<String, String> clusterSpecific = new HashMap<>();
    clusterSpecific.put("bootstrap.servers", broker.saslSslBootstrap());
    clusterSpecific.put("schema.registry.url", front.url());
    clusterSpecific.put("binance.base.url", simulator.baseUrl());
    clusterSpecific.put("binance.time.url", simulator.baseUrl() + "/fapi/v1/time");

    PodFiles derivePod =
        PodFiles.ofWorkload(
            Path.of("k8s"), "pm-account-stream-derive", dir.resolve("derive"), secrets);
    Map<String, String> deriveFlags = new HashMap<>(clusterSpecific);
    deriveFlags.putAll(registryCa(derivePod, registryTls));
    deriveFlags.put("derive.state.dir", dir.resolve("state").toString());
    ConfigReader deriveReader =
        new ConfigReader(derivePod.settings(Map.of()).withFlags(deriveFlags));
    DeriveApp.Settings deriveSettings = DeriveApp.Settings.from(deriveReader);
    deriveReader.throwIfProblems();
    assertThat(deriveSettings.connection().clientProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(deriveSettings.connection().schemaRegistryUrl().getScheme()).isEqualTo("https");
    assertThat(deriveSettings.connection().registryAuthorization())
        .as("basic auth from the mounted password file")
        .isPresent();
    Optional<Path> registryCa = Optional.of(derivePod.local(REGISTRY_CA_DIR + "/ca.crt"));
    Optional<Path> registryPasswordFile =
        Optional.of(derivePod.local("/etc/pm-account-stream/registry/password"));
    try (HttpSchemaRegistryClient anonymous =
        registryClient(front.url(), registryCa, Optional.empty())) {
      assertThatThrownBy(() -> anonymous.schemaById(1))
          .as("without the mounted password the registry refuses")
          .isInstanceOfSatisfying(
              SchemaRegistryException.class, e -> assertThat(e.httpStatus()).hasValue(401));
    }
    try (HttpSchemaRegistryClient untrusting =
        registryClient(front.url(), Optional.empty(), registryPasswordFile)) {
      assertThatThrownBy(() -> untrusting.schemaById(1))
          .as("without the mounted registry CA the TLS handshake fails")
          .isInstanceOfSatisfying(
              SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEmpty());
    }

    HttpSchemaRegistryClient client = HttpSchemaRegistryClient.from(deriveSettings.connection());
    toClose.add(client);
    DeriveApp derive = DeriveApp.create(deriveSettings, client, new SimpleMeterRegistry());
    toClose.add(derive);
    derive.start();

    PodFiles pollerPod =
        PodFiles.ofWorkload(
            Path.of("k8s"), "pm-account-stream-poller", dir.resolve("poller"), secrets);
    Map<String, String> pollFlags = new HashMap<>(clusterSpecific);
    pollFlags.putAll(registryCa(pollerPod, registryTls));
    pollFlags.put("poll.interval", "100ms");
    pollFlags.put("poll.jitter", "0");
    ConfigReader pollReader = new ConfigReader(pollerPod.settings(Map.of()).withFlags(pollFlags));
    PollerApp.Settings pollSettings = PollerApp.Settings.from(pollReader);
    pollReader.throwIfProblems();
    PollerApp poller = PollerApp.create(pollSettings, new SimpleMeterRegistry());
    poller.start();
    toClose.add(() -> poller.shutdown(Duration.ofSeconds(10)));

    Topics topics = Topics.defaults();
    DerivationSerdes serdes = DerivationSerdes.create(client);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                !readAll(broker.internalBootstrap(), topics.snapshots(), serdes.snapshot(), true)
                    .isEmpty());
    for (String status : List.of("MARGIN_CALL", "REDUCE_ONLY", "NORMAL")) {
      BigDecimal uniMmr =
          switch (status) {
            case "MARGIN_CALL" -> new BigDecimal("1.40");
            case "REDUCE_ONLY" -> new BigDecimal("1.15");
            default -> new BigDecimal("1.80");
          };
      account.set(uniMmr, status).served().get(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).until(() -> poller.unsent() == 0);
    }
    assertThat(poller.shutdown(Duration.ofSeconds(10))).as("snapshots left unsent").isZero();

    List<AccountSnapshot> published =
        values(readAll(broker.internalBootstrap(), topics.snapshots(), serdes.snapshot(), true))
            .stream()
            .map(AccountSnapshot.class::cast)
            .toList();
    assertThat(published).extracting(AccountSnapshot::getAccountId).containsOnly("main");
    Outputs expected = DeriveItSupport.expected(published, DerivationConfig.defaults());
    assertThat(expected.transitions).hasSizeGreaterThanOrEqualTo(4);
    await()
        .atMost(DeriveItSupport.OUTPUT_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              List<Object> transitions =
                  values(
                      readAll(
                          broker.internalBootstrap(),
                          topics.statusTransitions(),
                          serdes.transition(),
                          true));
              assertThat(Outputs.byAccount(transitions))
                  .isEqualTo(Outputs.byAccount(expected.transitions));
              assertThat(
                      Outputs.byAccount(
                          values(
                              readAll(
                                  broker.internalBootstrap(),
                                  topics.lowUniMmr(),
                                  serdes.levelEvent(),
                                  true))))
                  .isEqualTo(Outputs.byAccount(expected.levelEvents));
            });
    assertThat(
            values(
                    readAll(
                        broker.internalBootstrap(),
                        topics.statusTransitions(),
                        serdes.transition(),
                        true))
                .stream()
                .map(t -> ((AccountStatusTransition) t).getStatus().name()))
        .containsSubsequence("NORMAL", "MARGIN_CALL", "REDUCE_ONLY", "NORMAL");
    assertThat(front.subjectsPostedWithTheCredentials())
        .as("the poller's and derive's serializers reached the registry through the https front")
        .contains(topics.snapshots() + "-value", topics.statusTransitions() + "-value");
    assertThat(front.requestsWithoutTheCredentials())
        .as("requests without the mounted credentials: only the anonymous client's above")
        .isEqualTo(1);
  }

  /**
   * A registry client for the front: bootstrap.servers is required but unused. Without {@code ca}
   * it has the JVM's trust store only; without {@code passwordFile}, no credentials.
   */
  private static HttpSchemaRegistryClient registryClient(
      String url, Optional<Path> ca, Optional<Path> passwordFile) {
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", HOST + ":9");
    flags.put("schema.registry.url", url);
    ca.ifPresent(file -> flags.put("schema.registry.ssl.truststore.location", file.toString()));
    passwordFile.ifPresent(
        file -> {
          flags.put("schema.registry.basic.auth.user", USER);
          flags.put("schema.registry.basic.auth.password.file", file.toString());
        });
    ConfigReader reader = new ConfigReader(Settings.ofFlags(flags));
    KafkaConnection connection = KafkaConnection.from(reader);
    reader.throwIfProblems();
    return HttpSchemaRegistryClient.from(connection);
  }

  /**
   * The registry CA as docs/operations.md ("Registry TLS") mounts a private one: a Secret volume
   * beside {@code registry} at {@value #REGISTRY_CA_DIR}, named by {@code
   * schema.registry.ssl.truststore.location}. The base manifests have no such volume (a registry
   * with a public CA needs none), so the test adds it as that overlay would.
   */
  private static Map<String, String> registryCa(PodFiles pod, TestTls registryTls) {
    pod.mountSecret(REGISTRY_CA_DIR, Map.of("ca.crt", registryTls.caPem()));
    return Map.of(
        "schema.registry.ssl.truststore.location",
        pod.local(REGISTRY_CA_DIR + "/ca.crt").toString());
  }

  /**
   * A one-node KRaft cluster with a SASL_SSL listener for the applications and a PLAINTEXT one, for
   * the broker itself and for this test's setup and checks, both on 127.0.0.1.
   */
  static final class Broker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;
    private final int saslSslPort;
    private final int internalPort;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private Broker(KafkaClusterTestKit cluster, int saslSslPort, int internalPort) {
      this.cluster = cluster;
      this.saslSslPort = saslSslPort;
      this.internalPort = internalPort;
    }

    static Broker start(Path dir, TestTls tls) throws Exception {
      int saslSsl = freePort();
      int internal = freePort();
      int controller = freePort();
      String host = HOST;
      Map<String, String> settings = new HashMap<>();
      settings.put(
          "listeners",
          "SASL_SSL://"
              + host
              + ":"
              + saslSsl
              + ",INTERNAL://"
              + host
              + ":"
              + internal
              + ",CONTROLLER://"
              + host
              + ":"
              + controller);
      settings.put(
          "advertised.listeners",
          "SASL_SSL://" + host + ":" + saslSsl + ",INTERNAL://" + host + ":" + internal);
      settings.put(
          "listener.security.protocol.map",
          "SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
      settings.put("inter.broker.listener.name", "INTERNAL");
      settings.put("controller.listener.names", "CONTROLLER");
      settings.put("controller.quorum.voters", "0@" + host + ":" + controller);
      settings.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
      settings.put(
          "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      settings.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
      settings.put("listener.name.sasl_ssl.ssl.keystore.location", tls.keystore().toString());
      settings.put("listener.name.sasl_ssl.ssl.keystore.password", tls.keystorePassword());
      settings.put("listener.name.sasl_ssl.ssl.key.password", tls.keystorePassword());
      settings.put("offsets.topic.replication.factor", "1");
      settings.put("offsets.topic.num.partitions", "1");
      settings.put("transaction.state.log.replication.factor", "1");
      settings.put("transaction.state.log.min.isr", "1");
      settings.put("share.coordinator.state.topic.replication.factor", "1");
      settings.put("share.coordinator.state.topic.min.isr", "1");
      settings.put("group.initial.rebalance.delay.ms", "0");
      TestKitNodes nodes =
          new TestKitNodes.Builder()
              .setCombined(true)
              .setNumBrokerNodes(1)
              .setNumControllerNodes(1)
              .setBrokerListenerName(ListenerName.normalised("TESTKIT_UNUSED_BROKER"))
              .setControllerListenerName(ListenerName.normalised("TESTKIT_UNUSED_CONTROLLER"))
              .setPerServerProperties(Map.of(0, settings))
              .build();
      KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes).build();
      Broker broker = new Broker(cluster, saslSsl, internal);
      try {
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        try (Admin admin = broker.internalAdmin()) {
          admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS);
        }
        return broker;
      } catch (Exception e) {
        broker.close();
        throw e;
      }
    }

    String saslSslBootstrap() {
      return HOST + ":" + saslSslPort;
    }

    String internalBootstrap() {
      return HOST + ":" + internalPort;
    }

    /** An admin client with no security settings, pointed at the SASL_SSL listener. */
    Admin plaintextClientToTheSaslSslListener() {
      Admin admin =
          Admin.create(
              Map.of(
                  "bootstrap.servers", saslSslBootstrap(),
                  "request.timeout.ms", "3000",
                  "default.api.timeout.ms", "3000"));
      toClose.add(admin);
      return admin;
    }

    Admin internalAdmin() {
      return Admin.create(Map.of("bootstrap.servers", internalBootstrap()));
    }

    void createScramUser(String user, String password) throws Exception {
      try (Admin admin = internalAdmin()) {
        admin
            .alterUserScramCredentials(
                List.of(
                    new UserScramCredentialUpsertion(
                        user,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                        password)))
            .all()
            .get(30, TimeUnit.SECONDS);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    admin
                        .describeUserScramCredentials(List.of(user))
                        .all()
                        .get(10, TimeUnit.SECONDS)
                        .containsKey(user));
      }
    }

    void createTopics(String... names) throws Exception {
      try (Admin admin = internalAdmin()) {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
          topics.add(new NewTopic(name, 2, (short) 1));
        }
        admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
      }
    }

    @Override
    public void close() throws Exception {
      for (AutoCloseable client : toClose) {
        client.close();
      }
      cluster.close();
    }
  }

  /**
   * The registry as the manifests expect to reach it: https (a certificate of the registry's own
   * test CA) and basic auth, in front of the run's shared plain-http registry, as a TLS-terminating
   * proxy with authentication stands in front of a registry in a cluster. A request with the
   * credentials is proxied through; any other is answered 401 and goes no further.
   */
  static final class RegistryFront implements AutoCloseable {

    private final WireMockServer server;
    private final String path;
    private final String authorization;

    private RegistryFront(WireMockServer server, String path, String authorization) {
      this.server = server;
      this.path = path;
      this.authorization = authorization;
    }

    static RegistryFront start(String registryUrl, TestTls tls, String user, String password) {
      URI registry = URI.create(registryUrl);
      WireMockServer server = new WireMockServer(tls.httpsOnlyWireMock());
      server.start();
      try {
        server.stubFor(
            any(anyUrl())
                .atPriority(1)
                .withBasicAuth(user, password)
                .willReturn(
                    aResponse()
                        .proxiedFrom(registry.getScheme() + "://" + registry.getRawAuthority())));
        server.stubFor(
            any(anyUrl())
                .atPriority(2)
                .willReturn(
                    unauthorized().withHeader("WWW-Authenticate", "Basic realm=\"registry\"")));
      } catch (RuntimeException e) {
        server.stop();
        throw e;
      }
      String credentials =
          Base64.getEncoder()
              .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      return new RegistryFront(server, registry.getRawPath(), "Basic " + credentials);
    }

    /** {@code https://127.0.0.1:PORT/apis/ccompat/v7}: the registry's own path. */
    String url() {
      return "https://" + HOST + ":" + server.httpsPort() + path;
    }

    /** Subjects of the POSTs (register, look up) the registry answered through the front. */
    Set<String> subjectsPostedWithTheCredentials() {
      String subjects = path + "/subjects/";
      Set<String> posted = new TreeSet<>();
      for (ServeEvent event : server.getAllServeEvents()) {
        String url = event.getRequest().getUrl();
        if (event.getRequest().getMethod().getName().equals("POST")
            && url.startsWith(subjects)
            && hasTheCredentials(event)
            && event.getResponse().getStatus() / 100 == 2) {
          String subject = url.substring(subjects.length());
          posted.add(subject.contains("/") ? subject.substring(0, subject.indexOf('/')) : subject);
        }
      }
      return posted;
    }

    /** Requests that came without the credentials (counted, never shown: a header is a secret). */
    long requestsWithoutTheCredentials() {
      return server.getAllServeEvents().stream().filter(e -> !hasTheCredentials(e)).count();
    }

    private boolean hasTheCredentials(ServeEvent event) {
      return authorization.equals(event.getRequest().getHeader("Authorization"));
    }

    @Override
    public void close() {
      server.stop();
    }
  }
}
