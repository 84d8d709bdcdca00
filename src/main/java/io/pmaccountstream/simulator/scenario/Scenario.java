package io.pmaccountstream.simulator.scenario;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The simulated accounts and the uniMMR levels that drive their status. */
public record Scenario(List<AccountSpec> accounts, StatusThresholds thresholds) {

  public Scenario {
    accounts = List.copyOf(accounts);
    if (accounts.isEmpty()) {
      throw new IllegalArgumentException("a scenario needs at least one account");
    }
    Set<String> ids = new HashSet<>();
    Set<String> keys = new HashSet<>();
    for (AccountSpec account : accounts) {
      if (!ids.add(account.id())) {
        throw new IllegalArgumentException("duplicate account id '" + account.id() + "'");
      }
      if (!keys.add(account.credentials().apiKey())) {
        throw new IllegalArgumentException("account '" + account.id() + "' reuses an API key");
      }
    }
  }

  public static Scenario of(AccountSpec... accounts) {
    return new Scenario(List.of(accounts), StatusThresholds.defaults());
  }

  /** All accounts of several scenarios; they must agree on the thresholds. */
  public static Scenario combine(List<Scenario> scenarios) {
    List<AccountSpec> all = new ArrayList<>();
    StatusThresholds thresholds = scenarios.get(0).thresholds();
    for (Scenario scenario : scenarios) {
      if (!scenario.thresholds().equals(thresholds)) {
        throw new IllegalArgumentException("combined scenarios must use the same thresholds");
      }
      all.addAll(scenario.accounts());
    }
    return new Scenario(all, thresholds);
  }
}
