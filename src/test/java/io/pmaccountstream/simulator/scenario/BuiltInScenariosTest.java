package io.pmaccountstream.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuiltInScenariosTest {

  private static final long MINUTE = 60_000;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 1234})
  void calmStaysNormal(long seed) {
    assertThat(distinctStatuses("calm", seed, 120 * MINUTE)).containsExactly("NORMAL");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 1234})
  void marginCallFallsToMarginCallAndReduceOnlyThenRecovers(long seed) {
    List<String> transitions = transitions("margin-call", seed, 30 * MINUTE);

    assertThat(transitions).startsWith("NORMAL").endsWith("NORMAL");
    assertThat(transitions).contains("MARGIN_CALL", "REDUCE_ONLY");
    assertThat(transitions).doesNotContain("FORCE_LIQUIDATION");
    assertThat(transitions.indexOf("MARGIN_CALL")).isLessThan(transitions.indexOf("REDUCE_ONLY"));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 1234})
  void liquidationFallsThroughToForceLiquidationAndStays(long seed) {
    List<String> transitions = transitions("liquidation", seed, 60 * MINUTE);

    assertThat(transitions)
        .startsWith("NORMAL", "MARGIN_CALL")
        .contains("REDUCE_ONLY")
        .endsWith("FORCE_LIQUIDATION");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 1234})
  void flappingAlternatesAroundOnePointTwo(long seed) {
    List<String> transitions = transitions("flapping", seed, 30 * MINUTE);

    assertThat(new HashSet<>(transitions)).containsExactlyInAnyOrder("MARGIN_CALL", "REDUCE_ONLY");
    assertThat(transitions).hasSizeGreaterThan(10);
  }

  @Test
  void manyCreatesTheRequestedAccountsWithDistinctKeys() {
    Scenario scenario = BuiltInScenarios.create("many", 1000, 5, KeyType.HMAC);

    assertThat(scenario.accounts()).hasSize(1000);
    assertThat(scenario.accounts().get(999).id()).isEqualTo("many-1000");
    Set<String> keys = new HashSet<>();
    scenario.accounts().forEach(a -> keys.add(a.credentials().apiKey()));
    assertThat(keys).hasSize(1000);
  }

  @Test
  void sameSeedGivesTheSameCredentials() {
    Credentials one =
        BuiltInScenarios.create("calm", 1, 9, KeyType.HMAC).accounts().get(0).credentials();
    Credentials two =
        BuiltInScenarios.create("calm", 1, 9, KeyType.HMAC).accounts().get(0).credentials();
    Credentials other =
        BuiltInScenarios.create("calm", 1, 10, KeyType.HMAC).accounts().get(0).credentials();

    assertThat(one.apiKey()).hasSize(64).isEqualTo(two.apiKey()).isNotEqualTo(other.apiKey());
    assertThat(one.hmacSecret()).isEqualTo(two.hmacSecret());
  }

  @Test
  void keyPairScenariosKeepThePrivateKeyForTheClient() {
    Credentials ed =
        BuiltInScenarios.create("calm", 1, 9, KeyType.ED25519).accounts().get(0).credentials();

    assertThat(ed.keyType()).isEqualTo(KeyType.ED25519);
    assertThat(ed.privateKey()).isPresent();
    assertThat(ed.toString()).doesNotContain(ed.apiKey());
  }

  @Test
  void rejectsUnknownNames() {
    assertThatThrownBy(() -> BuiltInScenarios.create("panic", 1, 1, KeyType.HMAC))
        .hasMessageContaining("unknown scenario 'panic'")
        .hasMessageContaining("margin-call");
  }

  private static Set<String> distinctStatuses(String name, long seed, long until) {
    return new HashSet<>(transitions(name, seed, until));
  }

  /** The sequence of statuses, one entry per change of status, sampled every second. */
  private static List<String> transitions(String name, long seed, long until) {
    Scenario scenario = BuiltInScenarios.create(name, 1, seed, KeyType.HMAC);
    AccountPath path = new AccountPath(scenario.accounts().get(0), scenario.thresholds(), seed);
    List<String> statuses = new ArrayList<>();
    for (long t = 0; t <= until; t += 1_000) {
      path.advanceTo(t);
      String status = path.values().status();
      if (statuses.isEmpty() || !statuses.get(statuses.size() - 1).equals(status)) {
        statuses.add(status);
      }
    }
    return statuses;
  }
}
