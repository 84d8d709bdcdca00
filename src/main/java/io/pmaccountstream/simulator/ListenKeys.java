package io.pmaccountstream.simulator;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The user-data stream keys, by Binance's rules for {@code /papi/v1/listenKey}: one key per
 * account; a key lives {@code validity} (Binance: 60 minutes) of the scenario clock from its
 * creation or last keep-alive; a POST while the account's key is valid answers the same key and
 * extends it; a keep-alive or close of an expired or unknown key is {@code -1125}. Thread-safe.
 */
final class ListenKeys {

  /** Binance's keys are 64 letters and digits. */
  static final int KEY_LENGTH = 64;

  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  /** A key that expired, for the stream endpoint to tell its open connections. */
  record Expired(String accountId, String listenKey) {}

  private record Entry(String key, long expiresAt) {}

  private final SimClock clock;
  private final long validityMillis;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Entry> byAccount = new HashMap<>();
  private final List<Expired> expired = new ArrayList<>();

  ListenKeys(SimClock clock, Duration validity) {
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("listen key validity must be positive: " + validity);
    }
    this.clock = clock;
    this.validityMillis = validity.toMillis();
  }

  /** POST: the account's valid key, extended, or a new one. */
  synchronized String create(String accountId) {
    long now = expireDue();
    Entry entry = byAccount.get(accountId);
    String key = entry != null ? entry.key() : newKey();
    byAccount.put(accountId, new Entry(key, now + validityMillis));
    return key;
  }

  /** PUT: extends the account's key; false ({@code -1125}) when it has none or it expired. */
  synchronized boolean keepAlive(String accountId) {
    long now = expireDue();
    Entry entry = byAccount.get(accountId);
    if (entry == null) {
      return false;
    }
    byAccount.put(accountId, new Entry(entry.key(), now + validityMillis));
    return true;
  }

  /** DELETE: closes the account's key; empty ({@code -1125}) when it has none or it expired. */
  synchronized Optional<String> close(String accountId) {
    expireDue();
    return Optional.ofNullable(byAccount.remove(accountId)).map(Entry::key);
  }

  /** The account a valid key belongs to. */
  synchronized Optional<String> accountOf(String listenKey) {
    expireDue();
    return byAccount.entrySet().stream()
        .filter(e -> e.getValue().key().equals(listenKey))
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /** Whether {@code listenKey} is the account's key and still valid. */
  synchronized boolean isValid(String accountId, String listenKey) {
    expireDue();
    Entry entry = byAccount.get(accountId);
    return entry != null && entry.key().equals(listenKey);
  }

  /** The keys that have expired since the last call (each told once). */
  synchronized List<Expired> drainExpired() {
    expireDue();
    List<Expired> drained = List.copyOf(expired);
    expired.clear();
    return drained;
  }

  /** The account's valid key now. */
  synchronized Optional<String> keyOf(String accountId) {
    expireDue();
    return Optional.ofNullable(byAccount.get(accountId)).map(Entry::key);
  }

  /** Moves the keys whose validity has passed out of use; returns the scenario time now. */
  private long expireDue() {
    long now = clock.scenarioMillis();
    byAccount
        .entrySet()
        .removeIf(
            e -> {
              if (e.getValue().expiresAt() <= now) {
                expired.add(new Expired(e.getKey(), e.getValue().key()));
                return true;
              }
              return false;
            });
    return now;
  }

  private String newKey() {
    char[] key = new char[KEY_LENGTH];
    for (int i = 0; i < key.length; i++) {
      key[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(key);
  }
}
