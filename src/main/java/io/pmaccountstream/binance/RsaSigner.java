package io.pmaccountstream.binance;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/** RSASSA-PKCS1-v1_5 with SHA-256 over the payload, base64, URL-encoded (Binance RSA keys). */
public final class RsaSigner implements RequestSigner {

  private final PrivateKey key;

  public RsaSigner(PrivateKey key) {
    if (!"RSA".equals(key.getAlgorithm())) {
      throw new IllegalArgumentException("not an RSA key: " + key.getAlgorithm());
    }
    this.key = key;
  }

  @Override
  public String sign(String payload) {
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(key);
      signature.update(payload.getBytes(StandardCharsets.UTF_8));
      String base64 = Base64.getEncoder().encodeToString(signature.sign());
      return URLEncoder.encode(base64, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the RSA key: " + e.getClass().getName(), e);
    }
  }

  @Override
  public String algorithm() {
    return "RSA-SHA256";
  }

  @Override
  public String toString() {
    return "RsaSigner[key hidden]";
  }
}
