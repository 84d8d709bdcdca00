package io.pmaccountstream.binance;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Set;

/**
 * A signature of the payload with an asymmetric private key, base64, URL-encoded: RSASSA-PKCS1-v1_5
 * with SHA-256 for Binance RSA keys, Ed25519 for Binance Ed25519 keys. The two differ only in the
 * JCA algorithm, so one class serves both.
 */
public final class PrivateKeySigner implements RequestSigner {

  /** The signature schemes Binance accepts for a private key, by the key's JCA algorithm. */
  public enum Algorithm {
    RSA("SHA256withRSA", "RSA-SHA256", Set.of("RSA")),
    ED25519("Ed25519", "Ed25519", Set.of("EdDSA", "Ed25519"));

    private final String jcaSignature;
    private final String displayName;
    private final Set<String> keyAlgorithms;

    Algorithm(String jcaSignature, String displayName, Set<String> keyAlgorithms) {
      this.jcaSignature = jcaSignature;
      this.displayName = displayName;
      this.keyAlgorithms = keyAlgorithms;
    }

    /** For messages and logs: "RSA-SHA256" or "Ed25519". */
    public String displayName() {
      return displayName;
    }

    boolean fits(PrivateKey key) {
      return keyAlgorithms.contains(key.getAlgorithm());
    }
  }

  private final Algorithm algorithm;
  private final PrivateKey key;

  public PrivateKeySigner(Algorithm algorithm, PrivateKey key) {
    if (!algorithm.fits(key)) {
      throw new IllegalArgumentException(
          "not a key for " + algorithm.displayName() + ": " + key.getAlgorithm());
    }
    this.algorithm = algorithm;
    this.key = key;
  }

  @Override
  public String sign(String payload) {
    try {
      Signature signature = Signature.getInstance(algorithm.jcaSignature);
      signature.initSign(key);
      signature.update(payload.getBytes(StandardCharsets.UTF_8));
      String base64 = Base64.getEncoder().encodeToString(signature.sign());
      return URLEncoder.encode(base64, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot sign with the " + algorithm.displayName() + " key: " + e.getClass().getName(), e);
    }
  }

  @Override
  public String algorithm() {
    return algorithm.displayName();
  }

  /** Which of the two schemes this signer uses. */
  public Algorithm scheme() {
    return algorithm;
  }

  @Override
  public String toString() {
    return "PrivateKeySigner[" + algorithm.displayName() + ", key hidden]";
  }
}
