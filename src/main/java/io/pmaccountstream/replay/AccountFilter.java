package io.pmaccountstream.replay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * {@code --accounts a,b}: which accounts a replay or export reads. Applied before the derivation,
 * on the record key (the account id) so other accounts' records are not even decoded; a record
 * without a key is decoded and judged by its {@code accountId}.
 */
public final class AccountFilter {

  private static final AccountFilter ALL = new AccountFilter(Set.of());

  private final Set<String> accounts;
  private final byte[][] keys;

  private AccountFilter(Set<String> accounts) {
    this.accounts = Set.copyOf(accounts);
    this.keys =
        this.accounts.stream().map(a -> a.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
  }

  public static AccountFilter all() {
    return ALL;
  }

  /** Only these accounts; an empty set means all. */
  public static AccountFilter only(Set<String> accounts) {
    return accounts.isEmpty() ? ALL : new AccountFilter(accounts);
  }

  public boolean isAll() {
    return accounts.isEmpty();
  }

  public Set<String> accounts() {
    return accounts;
  }

  /** Whether a record with this key is read; a null key cannot be judged yet (true). */
  public boolean acceptsKey(byte[] key) {
    if (accounts.isEmpty() || key == null) {
      return true;
    }
    for (byte[] k : keys) {
      if (Arrays.equals(k, key)) {
        return true;
      }
    }
    return false;
  }

  public boolean accepts(String accountId) {
    return accounts.isEmpty() || accounts.contains(accountId);
  }

  @Override
  public String toString() {
    return accounts.isEmpty() ? "all accounts" : String.join(",", accounts);
  }
}
