package io.pmaccountstream.binance;

import io.pmaccountstream.config.Secret;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

/** Binance's documented HMAC example and freshly generated RSA / Ed25519 keys. */
final class TestKeys {

  /** From Binance's "SIGNED endpoint examples": never a real key. */
  static final String DOC_API_KEY =
      "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";

  static final String DOC_SECRET =
      "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

  private TestKeys() {}

  static AccountCredentials docAccount(String id) {
    return new AccountCredentials(
        id, Secret.of(DOC_API_KEY), new HmacSha256Signer(Secret.of(DOC_SECRET)));
  }

  static KeyPair generate(String algorithm) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (algorithm.equals("RSA")) {
        generator.initialize(2048);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The private key as an unencrypted PKCS#8 PEM, as {@code openssl genpkey} writes it. */
  static String pkcs8Pem(KeyPair pair) {
    String base64 =
        Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
  }
}
