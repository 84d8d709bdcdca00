package io.pmaccountstream.binance;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Reads an unencrypted PKCS#8 PEM private key and picks the signer for its algorithm. Error
 * messages say what is wrong and how to fix it, never a byte of the key.
 */
final class PemPrivateKeys {

  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PKCS8_END = "-----END PRIVATE KEY-----";

  private PemPrivateKeys() {}

  static RequestSigner signerFor(String pem) {
    PrivateKey key = read(pem);
    return switch (key.getAlgorithm()) {
      case "RSA" -> new PrivateKeySigner(PrivateKeySigner.Algorithm.RSA, key);
      case "EdDSA", "Ed25519" -> new PrivateKeySigner(PrivateKeySigner.Algorithm.ED25519, key);
      default ->
          throw new IllegalArgumentException(
              "unsupported private key algorithm "
                  + key.getAlgorithm()
                  + " (Binance accepts RSA and Ed25519 keys)");
    };
  }

  static PrivateKey read(String pem) {
    String text = pem.strip();
    if (text.startsWith("-----BEGIN RSA PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          "the key is PKCS#1 (BEGIN RSA PRIVATE KEY); convert it to PKCS#8 with"
              + " 'openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem'");
    }
    if (text.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          "the key is encrypted; store it unencrypted (PKCS#8, BEGIN PRIVATE KEY) in a file"
              + " only this service can read");
    }
    int begin = text.indexOf(PKCS8_BEGIN);
    int end = text.indexOf(PKCS8_END);
    if (begin != 0 || end < 0) {
      throw new IllegalArgumentException(
          "not a PKCS#8 PEM private key (expected " + PKCS8_BEGIN + " ... " + PKCS8_END + ")");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(PKCS8_BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the PEM body is not valid base64");
    }
    for (String algorithm : new String[] {"RSA", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException | ClassCastException e) {
        // not this algorithm; try the next
      }
    }
    throw new IllegalArgumentException("the PEM is neither an RSA nor an Ed25519 PKCS#8 key");
  }
}
