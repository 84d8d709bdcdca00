package io.pmaccountstream.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An {@link SSLContext} trusting exactly the CA certificates of a PEM file, the format of Kafka's
 * {@code ssl.truststore.type=PEM} and of Strimzi's and cert-manager's {@code ca.crt}: for a schema
 * registry whose certificate comes from a private CA.
 */
public final class PemTrustStore {

  private PemTrustStore() {}

  /**
   * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
   */
  public static SSLContext sslContext(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException(pem + " holds no PEM certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read " + pem + " (" + e.getClass().getSimpleName() + ")", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          pem + " is not a PEM file of certificates: " + e.getMessage(), e);
    }
  }
}
