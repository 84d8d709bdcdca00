package io.pmaccountstream.binance;

import io.pmaccountstream.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 of the payload with the API secret, in lowercase hex (Binance's default keys). */
public final class HmacSha256Signer implements RequestSigner {

  private static final String ALGORITHM = "HmacSHA256";
  private final SecretKeySpec key;

  public HmacSha256Signer(Secret secret) {
    this.key = new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  @Override
  public String sign(String payload) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
    }
  }

  @Override
  public String algorithm() {
    return "HMAC-SHA256";
  }

  @Override
  public String toString() {
    return "HmacSha256Signer[key hidden]";
  }
}
