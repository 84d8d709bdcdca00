package io.pmaccountstream.simulator.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;

/** PEM (X.509 "PUBLIC KEY", PKCS#8 "PRIVATE KEY") reading and writing for RSA and Ed25519. */
public final class PemKeys {

  private PemKeys() {}

  public static PublicKey readPublicKey(Path file) throws IOException {
    return parsePublicKey(Files.readString(file, StandardCharsets.US_ASCII));
  }

  /** A "PUBLIC KEY" PEM block holding an RSA or an Ed25519 key. */
  public static PublicKey parsePublicKey(String pem) {
    byte[] der = der(pem, "PUBLIC KEY");
    X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
    for (String algorithm : new String[] {"RSA", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(spec);
      } catch (GeneralSecurityException e) {
        // not this algorithm; try the next
      }
    }
    throw new IllegalArgumentException("not an RSA or Ed25519 public key");
  }

  public static String toPem(PublicKey key) {
    return pem("PUBLIC KEY", key.getEncoded());
  }

  public static String toPem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  public static KeyType typeOf(Key key) {
    String algorithm = key.getAlgorithm().toUpperCase(Locale.ROOT);
    return switch (algorithm) {
      case "RSA" -> KeyType.RSA;
      case "ED25519", "EDDSA" -> KeyType.ED25519;
      default -> throw new IllegalArgumentException("unsupported key algorithm " + algorithm);
    };
  }

  private static byte[] der(String pem, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("no '" + begin + "' block");
    }
    String body = pem.substring(from + begin.length(), to).replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }

  private static String pem(String label, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }
}
