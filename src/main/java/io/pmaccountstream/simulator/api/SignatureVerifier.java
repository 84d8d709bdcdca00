package io.pmaccountstream.simulator.api;

import io.pmaccountstream.simulator.scenario.Credentials;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a request's {@code signature} over its payload, the way Binance documents each key type:
 * HMAC-SHA256 as hex (case-insensitive), RSASSA-PKCS1-v1_5 with SHA-256 as base64, Ed25519 as
 * base64.
 */
public interface SignatureVerifier {

  /**
   * @param payload the exact query text before {@code &signature=}
   * @param signature the decoded value of the {@code signature} parameter
   */
  boolean verify(String payload, String signature);

  static SignatureVerifier of(Credentials credentials) {
    return switch (credentials.keyType()) {
      case HMAC -> new HmacSha256(credentials.hmacSecret().orElseThrow().reveal());
      case RSA -> new PublicKeySignature(credentials.publicKey().orElseThrow(), "SHA256withRSA");
      case ED25519 -> new PublicKeySignature(credentials.publicKey().orElseThrow(), "Ed25519");
    };
  }

  /** HMAC-SHA256 keyed with the secret, lowercase or uppercase hex. */
  final class HmacSha256 implements SignatureVerifier {
    private final SecretKeySpec key;

    HmacSha256(String secret) {
      this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** The hex signature of a payload (tests use it to sign requests). */
    public static String sign(String secret, String payload) {
      return HexFormat.of().formatHex(new HmacSha256(secret).mac(payload));
    }

    @Override
    public boolean verify(String payload, String signature) {
      byte[] given;
      try {
        given = HexFormat.of().parseHex(signature);
      } catch (IllegalArgumentException e) {
        return false;
      }
      return MessageDigest.isEqual(mac(payload), given);
    }

    private byte[] mac(String payload) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(key);
        return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is unavailable", e);
      }
    }
  }

  /** A public-key signature (RSA or Ed25519) sent as base64. */
  final class PublicKeySignature implements SignatureVerifier {
    private final PublicKey key;
    private final String algorithm;

    PublicKeySignature(PublicKey key, String algorithm) {
      this.key = key;
      this.algorithm = algorithm;
    }

    @Override
    public boolean verify(String payload, String signature) {
      byte[] given;
      try {
        given = Base64.getDecoder().decode(signature);
      } catch (IllegalArgumentException e) {
        return false;
      }
      try {
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(key);
        verifier.update(payload.getBytes(StandardCharsets.UTF_8));
        return verifier.verify(given);
      } catch (InvalidKeyException e) {
        throw new IllegalStateException("the configured key does not fit " + algorithm, e);
      } catch (java.security.SignatureException e) {
        return false; // malformed signature bytes
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(algorithm + " is unavailable", e);
      }
    }
  }
}
