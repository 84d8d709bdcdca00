package io.pmaccountstream.binance;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Secret;
import io.pmaccountstream.config.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One Binance account to poll: our id for it, its API key and the signer its key material calls for
 * (HMAC secret, RSA or Ed25519 PKCS#8 PEM). Never prints the key or the secret.
 *
 * <p>Configured either for several accounts ({@code accounts=alice,bob} with {@code
 * account.<id>.api.key[.file]}, {@code account.<id>.secret[.file]} or {@code
 * account.<id>.private.key.file}), or, when {@code accounts} is unset, for one account with {@code
 * account.id}, {@code api.key[.file]}, {@code api.secret[.file]} or {@code private.key.file} (the
 * quick start and the {@code fetch} command). Environment variables follow {@link Settings}: {@code
 * PMAS_API_KEY}, {@code PMAS_ACCOUNT_ALICE_SECRET_FILE}.
 */
public record AccountCredentials(String accountId, Secret apiKey, RequestSigner signer) {

  /** Our ids: a letter or digit, then letters, digits, {@code _} or {@code -}. */
  public static final Pattern ACCOUNT_ID_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

  private static final String ID = "<id>";

  public static final ConfigField<List<String>> ACCOUNTS =
      ConfigField.list(
          "accounts",
          "Ids of the accounts to poll, each configured with account.<id>.* keys; unset for a"
              + " single account configured with api.key and api.secret");

  public static final ConfigField<String> ACCOUNT_ID =
      ConfigField.string("account.id", "Id of the single account (when accounts is unset)")
          .withDefault("default")
          .validate(AccountCredentials::isValidId, "letters, digits, '_' or '-'");

  public static final ConfigField<Secret> API_KEY =
      ConfigField.secret("api.key", "API key of the single account");
  public static final ConfigField<Path> API_KEY_FILE =
      ConfigField.path("api.key.file", "File holding the API key of the single account");
  public static final ConfigField<Secret> API_SECRET =
      ConfigField.secret("api.secret", "HMAC secret of the single account");
  public static final ConfigField<Path> API_SECRET_FILE =
      ConfigField.path(
          "api.secret.file", "File holding the HMAC secret (or PEM key) of the single account");
  public static final ConfigField<Path> PRIVATE_KEY_FILE =
      ConfigField.path(
          "private.key.file",
          "PKCS#8 PEM file with the RSA or Ed25519 private key of the single account");

  public static final ConfigField<Secret> ACCOUNT_API_KEY =
      ConfigField.secret("account." + ID + ".api.key", "API key of account <id>");
  public static final ConfigField<Path> ACCOUNT_API_KEY_FILE =
      ConfigField.path("account." + ID + ".api.key.file", "File holding the API key of <id>");
  public static final ConfigField<Secret> ACCOUNT_SECRET =
      ConfigField.secret("account." + ID + ".secret", "HMAC secret of account <id>");
  public static final ConfigField<Path> ACCOUNT_SECRET_FILE =
      ConfigField.path(
          "account." + ID + ".secret.file", "File holding the HMAC secret (or PEM key) of <id>");
  public static final ConfigField<Path> ACCOUNT_PRIVATE_KEY_FILE =
      ConfigField.path(
          "account." + ID + ".private.key.file",
          "PKCS#8 PEM file with the RSA or Ed25519 private key of <id>");

  public AccountCredentials {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(signer, "signer");
  }

  /**
   * Every configured account, each with a usable key and signer: at least one. Otherwise a {@link
   * ConfigException} listing every problem of every account (missing or doubled keys, unreadable
   * files, bad PEM, bad ids), never with a secret value, and every other problem the reader has
   * found (read it with {@link ConfigReader#component} to go on listing the other components').
   */
  public static List<AccountCredentials> from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    List<AccountCredentials> accounts = readAll(reader);
    checkpoint.throwIfNewProblems();
    return accounts;
  }

  /** The accounts that have no problems; a problem of each of the others is in the reader. */
  private static List<AccountCredentials> readAll(ConfigReader reader) {
    List<String> ids = reader.read(ACCOUNTS).orElse(List.of());
    if (ids.isEmpty()) {
      return reader
          .read(ACCOUNT_ID)
          .flatMap(
              id ->
                  read(
                      reader,
                      id,
                      API_KEY,
                      API_KEY_FILE,
                      API_SECRET,
                      API_SECRET_FILE,
                      PRIVATE_KEY_FILE))
          .map(List::of)
          .orElse(List.of());
    }
    List<AccountCredentials> accounts = new ArrayList<>();
    Map<String, String> byEnvName = new HashMap<>();
    for (String id : ids) {
      if (!isValidId(id)) {
        reader.problem(
            ACCOUNTS.name()
                + " contains '"
                + id
                + "': an account id is letters, digits, '_' or '-', starting with a letter or"
                + " digit");
        continue;
      }
      String clash = byEnvName.putIfAbsent(Settings.envName(id), id);
      if (clash != null && clash.equals(id)) {
        reader.problem(ACCOUNTS.name() + " lists '" + id + "' twice");
        continue;
      }
      if (clash != null) {
        reader.problem(
            ACCOUNTS.name()
                + " contains '"
                + clash
                + "' and '"
                + id
                + "', which share environment variables ("
                + Settings.envName("account." + id)
                + "_*); rename one");
        continue;
      }
      read(
              reader,
              id,
              perAccount(ACCOUNT_API_KEY, id),
              perAccount(ACCOUNT_API_KEY_FILE, id),
              perAccount(ACCOUNT_SECRET, id),
              perAccount(ACCOUNT_SECRET_FILE, id),
              perAccount(ACCOUNT_PRIVATE_KEY_FILE, id))
          .ifPresent(accounts::add);
    }
    return List.copyOf(accounts);
  }

  /** Every key this component reads; {@code <id>} stands for each id in {@code accounts}. */
  public static List<ConfigField<?>> fields() {
    return List.of(
        ACCOUNTS,
        ACCOUNT_ID,
        API_KEY,
        API_KEY_FILE,
        API_SECRET,
        API_SECRET_FILE,
        PRIVATE_KEY_FILE,
        ACCOUNT_API_KEY,
        ACCOUNT_API_KEY_FILE,
        ACCOUNT_SECRET,
        ACCOUNT_SECRET_FILE,
        ACCOUNT_PRIVATE_KEY_FILE);
  }

  public static boolean isValidId(String id) {
    return id != null && ACCOUNT_ID_PATTERN.matcher(id).matches();
  }

  @Override
  public String toString() {
    return "AccountCredentials[accountId=" + accountId + ", signer=" + signer.algorithm() + "]";
  }

  private static <T> ConfigField<T> perAccount(ConfigField<T> template, String id) {
    return template.renamed(template.name().replace(ID, id));
  }

  private static Optional<AccountCredentials> read(
      ConfigReader reader,
      String id,
      ConfigField<Secret> keyField,
      ConfigField<Path> keyFileField,
      ConfigField<Secret> secretField,
      ConfigField<Path> secretFileField,
      ConfigField<Path> privateKeyFileField) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    Optional<Secret> apiKey =
        oneOf(reader, id, "API key", keyField, keyFileField, Optional.empty());
    apiKey.ifPresent(key -> checkApiKey(reader, id, key, keyField, keyFileField));
    Optional<Secret> keyMaterial =
        oneOf(
            reader,
            id,
            "HMAC secret or private key",
            secretField,
            secretFileField,
            Optional.of(privateKeyFileField));
    Optional<RequestSigner> signer =
        keyMaterial.flatMap(
            material ->
                signer(reader, id, material, secretField, secretFileField, privateKeyFileField));
    if (checkpoint.hasNewProblems() || apiKey.isEmpty() || signer.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new AccountCredentials(id, apiKey.get(), signer.get()));
  }

  /** Exactly one of a value key, a file key and (for key material) a private-key file key. */
  private static Optional<Secret> oneOf(
      ConfigReader reader,
      String id,
      String what,
      ConfigField<Secret> valueField,
      ConfigField<Path> fileField,
      Optional<ConfigField<Path>> otherFileField) {
    Optional<Secret> value = reader.read(valueField);
    Optional<Path> file = reader.read(fileField);
    Optional<Path> otherFile = otherFileField.flatMap(reader::read);
    int given = (value.isPresent() ? 1 : 0) + (file.isPresent() ? 1 : 0);
    given += otherFile.isPresent() ? 1 : 0;
    String names =
        valueField.name()
            + ", "
            + fileField.name()
            + otherFileField.map(f -> " or " + f.name()).orElse("");
    if (given == 0) {
      reader.problem(
          "account '"
              + id
              + "' has no "
              + what
              + ": set one of "
              + names
              + " (environment "
              + Settings.envName(valueField.name())
              + ", "
              + Settings.envName(fileField.name())
              + ", ...)");
      return Optional.empty();
    }
    if (given > 1) {
      reader.problem("account '" + id + "' sets more than one of " + names + ": keep one");
      return Optional.empty();
    }
    if (value.isPresent()) {
      return value;
    }
    ConfigField<Path> from = file.isPresent() ? fileField : otherFileField.orElseThrow();
    return Secret.fromFile(reader, from, file.orElseGet(otherFile::orElseThrow));
  }

  private static void checkApiKey(
      ConfigReader reader,
      String id,
      Secret key,
      ConfigField<Secret> keyField,
      ConfigField<Path> keyFileField) {
    String value = key.reveal();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c > '~') {
        reader.problem(
            "account '"
                + id
                + "': the API key ("
                + keyField.name()
                + " / "
                + keyFileField.name()
                + ") contains a space, line break or non-ASCII character at position "
                + (i + 1)
                + "; an API key is printable ASCII only");
        return;
      }
    }
  }

  private static Optional<RequestSigner> signer(
      ConfigReader reader,
      String id,
      Secret material,
      ConfigField<Secret> secretField,
      ConfigField<Path> secretFileField,
      ConfigField<Path> privateKeyFileField) {
    boolean pemExpected = reader.settings().get(privateKeyFileField.name()).isPresent();
    if (pemExpected && !material.reveal().startsWith("-----BEGIN")) {
      reader.problem(
          privateKeyFileField.name()
              + " of account '"
              + id
              + "' is not a PEM file (expected -----BEGIN PRIVATE KEY-----); an HMAC secret"
              + " belongs in "
              + secretFileField.name());
      return Optional.empty();
    }
    try {
      return Optional.of(RequestSigner.fromKeyMaterial(material));
    } catch (IllegalArgumentException e) {
      reader.problem(
          "account '"
              + id
              + "': the key material ("
              + secretField.name()
              + ", "
              + secretFileField.name()
              + " or "
              + privateKeyFileField.name()
              + ") is unusable: "
              + e.getMessage());
      return Optional.empty();
    }
  }
}
