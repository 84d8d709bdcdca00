package io.pmaccountstream.simulator;

import io.pmaccountstream.simulator.scenario.Credentials;
import io.pmaccountstream.simulator.scenario.KeyType;
import io.pmaccountstream.simulator.scenario.PemKeys;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes the simulated accounts' credentials as poller configuration ({@code accounts=a,b}, {@code
 * account.a.api.key=...}, {@code account.a.secret=...}, plus {@code binance.base.url}), so a client
 * can be pointed at the simulator in one step. For RSA/Ed25519 accounts the private key goes to
 * {@code <id>.key.pem} next to the file ({@code account.a.key.type}, {@code
 * account.a.private.key.file}). Files are readable by the owner only. These keys protect nothing
 * but the local simulator.
 */
final class CredentialsFile {

  private CredentialsFile() {}

  static void write(Path file, String baseUrl, List<SimulatedAccount> accounts) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    StringBuilder text = new StringBuilder();
    text.append(
        "# Written by pm-account-stream simulate: test credentials for the local simulator.\n");
    text.append("binance.base.url=").append(baseUrl).append('\n');
    text.append("accounts=")
        .append(accounts.stream().map(SimulatedAccount::id).collect(Collectors.joining(",")))
        .append('\n');
    for (SimulatedAccount account : accounts) {
      Credentials credentials = account.credentials();
      String prefix = "account." + account.id() + ".";
      text.append(prefix).append("api.key=").append(credentials.apiKey()).append('\n');
      if (credentials.keyType() == KeyType.HMAC) {
        text.append(prefix)
            .append("secret=")
            .append(credentials.hmacSecret().orElseThrow().reveal())
            .append('\n');
        continue;
      }
      text.append(prefix)
          .append("key.type=")
          .append(credentials.keyType().name().toLowerCase(Locale.ROOT))
          .append('\n');
      if (credentials.privateKey().isPresent()) {
        Path keyFile = dir.resolve(account.id() + ".key.pem");
        writePrivate(keyFile, PemKeys.toPem(credentials.privateKey().get()));
        text.append(prefix)
            .append("private.key.file=")
            .append(escape(keyFile.toString()))
            .append('\n');
      } else {
        text.append("# ").append(account.id()).append(": the scenario gave only the public key\n");
      }
    }
    writePrivate(file, text.toString());
  }

  private static void writePrivate(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.writeString(file, text);
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\");
  }
}
