package io.pmaccountstream.testing;

import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A test CA and a server certificate signed by it (SAN 127.0.0.1 and localhost), made with the
 * JDK's keytool: the server's PKCS12 keystore (random password) and the CA as PEM, the form a
 * Kubernetes Secret ({@code ca.crt}) gives it to clients.
 */
public record TestTls(Path keystore, String keystorePassword, String caPem) {

  /** WireMock serving https only, on 127.0.0.1, with this certificate (a registry behind TLS). */
  public WireMockConfiguration httpsOnlyWireMock() {
    return WireMockConfiguration.options()
        .bindAddress("127.0.0.1")
        .httpDisabled(true)
        .dynamicHttpsPort()
        .keystorePath(keystore.toString())
        .keystoreType("PKCS12")
        .keystorePassword(keystorePassword)
        .keyManagerPassword(keystorePassword);
  }

  public static TestTls generate(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    String password = UUID.randomUUID().toString();
    Path ca = dir.resolve("ca.p12");
    Path broker = dir.resolve("broker.p12");
    Path caCert = dir.resolve("ca.crt");
    keytool(
        password,
        "-genkeypair",
        "-alias",
        "ca",
        "-dname",
        "CN=pmas-test-ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-ext",
        "bc:c",
        "-storetype",
        "PKCS12",
        "-keystore",
        ca.toString(),
        "-storepass:env",
        "PW",
        "-keypass:env",
        "PW");
    keytool(
        password,
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.toString(),
        "-storepass:env",
        "PW",
        "-file",
        caCert.toString());
    keytool(
        password,
        "-genkeypair",
        "-alias",
        "broker",
        "-dname",
        "CN=localhost",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        broker.toString(),
        "-storepass:env",
        "PW",
        "-keypass:env",
        "PW");
    Path csr = dir.resolve("broker.csr");
    Path signed = dir.resolve("broker.crt");
    keytool(
        password,
        "-certreq",
        "-alias",
        "broker",
        "-keystore",
        broker.toString(),
        "-storepass:env",
        "PW",
        "-file",
        csr.toString());
    keytool(
        password,
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        ca.toString(),
        "-storepass:env",
        "PW",
        "-infile",
        csr.toString(),
        "-outfile",
        signed.toString(),
        "-rfc",
        "-validity",
        "2",
        "-ext",
        "SAN=IP:127.0.0.1,DNS:localhost");
    keytool(
        password,
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        caCert.toString(),
        "-keystore",
        broker.toString(),
        "-storepass:env",
        "PW");
    keytool(
        password,
        "-importcert",
        "-noprompt",
        "-alias",
        "broker",
        "-file",
        signed.toString(),
        "-keystore",
        broker.toString(),
        "-storepass:env",
        "PW");
    return new TestTls(broker, password, Files.readString(caCert, StandardCharsets.UTF_8));
  }

  private static void keytool(String password, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PW", password);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("keytool " + args[0] + " did not finish");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
    }
  }
}
