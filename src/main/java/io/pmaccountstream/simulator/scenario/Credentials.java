package io.pmaccountstream.simulator.scenario;

import io.pmaccountstream.config.Secret;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Objects;
import java.util.Optional;

/**
 * An account's API key and what verifies its signatures: an HMAC secret, or an RSA / Ed25519 public
 * key. A private key is kept only when the simulator generated the pair (so it can hand it to a
 * client); never printed.
 */
public final class Credentials {

  private final String apiKey;
  private final KeyType keyType;
  private final Secret hmacSecret;
  private final PublicKey publicKey;
  private final PrivateKey privateKey;

  private Credentials(
      String apiKey,
      KeyType keyType,
      Secret hmacSecret,
      PublicKey publicKey,
      PrivateKey privateKey) {
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    this.keyType = keyType;
    this.hmacSecret = hmacSecret;
    this.publicKey = publicKey;
    this.privateKey = privateKey;
  }

  public static Credentials hmac(String apiKey, Secret secret) {
    return new Credentials(apiKey, KeyType.HMAC, Objects.requireNonNull(secret), null, null);
  }

  /** An RSA or Ed25519 public key; the type follows from the key's algorithm. */
  public static Credentials publicKey(String apiKey, PublicKey publicKey) {
    return new Credentials(apiKey, PemKeys.typeOf(publicKey), null, publicKey, null);
  }

  public static Credentials keyPair(String apiKey, PublicKey publicKey, PrivateKey privateKey) {
    return new Credentials(
        apiKey, PemKeys.typeOf(publicKey), null, publicKey, Objects.requireNonNull(privateKey));
  }

  public String apiKey() {
    return apiKey;
  }

  public KeyType keyType() {
    return keyType;
  }

  public Optional<Secret> hmacSecret() {
    return Optional.ofNullable(hmacSecret);
  }

  public Optional<PublicKey> publicKey() {
    return Optional.ofNullable(publicKey);
  }

  /** Present only for key pairs the simulator generated. */
  public Optional<PrivateKey> privateKey() {
    return Optional.ofNullable(privateKey);
  }

  @Override
  public String toString() {
    return "Credentials[" + keyType + "]";
  }
}
