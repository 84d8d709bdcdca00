package io.pmaccountstream.binance;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/** Ed25519 signature of the payload, base64, URL-encoded (Binance Ed25519 keys). */
public final class Ed25519Signer implements RequestSigner {

  private final PrivateKey key;

  public Ed25519Signer(PrivateKey key) {
    if (!"EdDSA".equals(key.getAlgorithm()) && !"Ed25519".equals(key.getAlgorithm())) {
      throw new IllegalArgumentException("not an Ed25519 key: " + key.getAlgorithm());
    }
    this.key = key;
  }

  @Override
  public String sign(String payload) {
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(key);
      signature.update(payload.getBytes(StandardCharsets.UTF_8));
      String base64 = Base64.getEncoder().encodeToString(signature.sign());
      return URLEncoder.encode(base64, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot sign with the Ed25519 key: " + e.getClass().getName(), e);
    }
  }

  @Override
  public String algorithm() {
    return "Ed25519";
  }

  @Override
  public String toString() {
    return "Ed25519Signer[key hidden]";
  }
}
