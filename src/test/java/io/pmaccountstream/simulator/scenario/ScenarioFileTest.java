package io.pmaccountstream.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioFileTest {

  @TempDir Path dir;

  @Test
  void parsesTheExampleInTheDocumentation() throws IOException {
    String doc = Files.readString(Path.of("docs/simulator.md"));
    Matcher block = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
    assertThat(block.find()).as("a ```yaml block in docs/simulator.md").isTrue();

    Scenario scenario = ScenarioFile.parse(block.group(1), false, dir, 1);

    assertThat(scenario.accounts()).extracting(AccountSpec::id).containsExactly("alice", "bob");
    AccountSpec alice = scenario.accounts().get(0);
    assertThat(alice.repeat()).contains(Duration.ofMinutes(30));
    assertThat(alice.path()).hasSize(4);
    assertThat(alice.credentials().apiKey()).hasSize(64);
    AccountSpec bob = scenario.accounts().get(1);
    assertThat(bob.credentials().apiKey()).startsWith("bob");
    assertThat(bob.updateTimeMode()).isEqualTo(UpdateTimeMode.ON_STATUS_CHANGE);
    assertThat(bob.totalAvailableBalance()).isEqualTo("1000.5");
  }

  @Test
  void parsesJsonWithTheSameKeys() {
    String json =
        """
        {"thresholds": [{"below": 1.1, "status": "REDUCE_ONLY"}],
         "accounts": [{"id": "a", "apiKey": "k", "secret": "s", "uniMMR": "1.15",
                       "accountMaintMargin": 100,
                       "path": [{"at": "10s", "uniMMR": 1.05},
                                {"at": "1m", "walk": {"drift": 0.1, "every": "2s"}}]}]}
        """;

    Scenario scenario = ScenarioFile.parse(json, true, dir, 1);

    AccountSpec a = scenario.accounts().get(0);
    assertThat(scenario.thresholds().statusOf(new java.math.BigDecimal("1.05")))
        .isEqualTo("REDUCE_ONLY");
    assertThat(a.path().get(1)).isInstanceOf(Segment.Walk.class);
    assertThat(((Segment.Walk) a.path().get(1)).every()).isEqualTo(Duration.ofSeconds(2));
    assertThat(a.credentials().keyType()).isEqualTo(KeyType.HMAC);
  }

  @Test
  void reportsEveryProblemWithItsLocation() {
    String yaml =
        """
        accounts:
          - id: a
            uniMMR: 1.5
            accountEquity: 100
            colour: blue
            path:
              - at: soon
                uniMMR: 1.2
              - at: 1m
                walk: {every: 5s}
          - apiKey: k
        """;

    assertThatThrownBy(() -> ScenarioFile.parse(yaml, false, dir, 1))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anyMatch(p -> p.startsWith("accounts[0]: give uniMMR or accountEquity"))
                    .anyMatch(p -> p.startsWith("accounts[0].colour: unknown key"))
                    .anyMatch(p -> p.startsWith("accounts[0].path[0].at: 'soon' is not a duration"))
                    .anyMatch(p -> p.contains("accounts[0].path[1]: a walk has either a drift"))
                    .anyMatch(p -> p.equals("accounts[1].id: required")));
  }

  @Test
  void readsRsaAndEd25519PublicKeysFromPemFilesNextToTheScenario() throws Exception {
    Files.writeString(dir.resolve("rsa.pem"), PemKeys.toPem(generate("RSA").getPublic()));
    Files.writeString(dir.resolve("ed.pem"), PemKeys.toPem(generate("Ed25519").getPublic()));
    Path file = dir.resolve("keys.yaml");
    Files.writeString(
        file,
        """
        accounts:
          - {id: r, apiKey: rk, publicKeyPem: rsa.pem}
          - {id: e, apiKey: ek, publicKeyPem: ed.pem}
        """);

    Scenario scenario = ScenarioFile.load(file, 1);

    assertThat(scenario.accounts())
        .extracting(a -> a.credentials().keyType())
        .containsExactly(KeyType.RSA, KeyType.ED25519);
    assertThat(scenario.accounts().get(0).credentials().privateKey()).isEmpty();
  }

  @Test
  void reportsAnUnreadablePublicKey() throws IOException {
    Files.writeString(dir.resolve("bad.pem"), "not a key");

    assertThatThrownBy(
            () ->
                ScenarioFile.parse(
                    "accounts: [{id: r, apiKey: rk, publicKeyPem: bad.pem}]", false, dir, 1))
        .hasMessageContaining("accounts[0].publicKeyPem: cannot read a public key");
  }

  @Test
  void reportsAMissingFile() {
    assertThatThrownBy(() -> ScenarioFile.load(dir.resolve("none.yaml"), 1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot read scenario file");
  }

  @Test
  void rejectsDuplicateAccountIds() {
    assertThatThrownBy(() -> ScenarioFile.parse("accounts: [{id: a}, {id: a}]", false, dir, 1))
        .hasMessageContaining("duplicate account id 'a'");
  }

  private static java.security.KeyPair generate(String algorithm) throws NoSuchAlgorithmException {
    return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
  }
}
