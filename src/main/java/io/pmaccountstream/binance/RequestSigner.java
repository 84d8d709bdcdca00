package io.pmaccountstream.binance;

import io.pmaccountstream.config.Secret;

/**
 * Signs the query string of a SIGNED Binance request. Which implementation an account uses follows
 * from its key material: a plain secret is HMAC-SHA256, a PKCS#8 PEM private key is RSA or Ed25519
 * ({@link #fromKeyMaterial(Secret)}). Implementations are immutable, thread-safe and never print
 * their key.
 */
public sealed interface RequestSigner permits HmacSha256Signer, PrivateKeySigner {

  /**
   * The value of the {@code signature} parameter for {@code payload} (the exact query string before
   * {@code &signature=}), ready to append: lowercase hex for HMAC, URL-encoded base64 for RSA and
   * Ed25519.
   */
  String sign(String payload);

  /** For messages and logs: "HMAC-SHA256", "RSA-SHA256" or "Ed25519"; never the key. */
  String algorithm();

  /**
   * The signer the key material calls for: a PEM private key ({@code -----BEGIN PRIVATE KEY-----},
   * PKCS#8) gives RSA or Ed25519 by the key's algorithm; anything else is an HMAC secret.
   *
   * @throws IllegalArgumentException with a message that never contains the key
   */
  static RequestSigner fromKeyMaterial(Secret material) {
    String text = material.reveal().strip();
    if (text.startsWith("-----BEGIN")) {
      return PemPrivateKeys.signerFor(text);
    }
    if (text.isEmpty()) {
      throw new IllegalArgumentException("the secret is empty");
    }
    return new HmacSha256Signer(Secret.of(text));
  }
}
