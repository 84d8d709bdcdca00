package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountCredentialsTest {

  private static final String KEY = TestKeys.DOC_API_KEY;
  private static final String SECRET = TestKeys.DOC_SECRET;

  @TempDir Path dir;

  @Test
  void singleAccountFromFlagsIsNamedDefault() {
    ConfigReader reader = flags(Map.of("api.key", KEY, "api.secret", SECRET));

    List<AccountCredentials> accounts = AccountCredentials.from(reader);

    assertThat(reader.problems()).isEmpty();
    assertThat(accounts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.accountId()).isEqualTo("default");
              assertThat(a.apiKey().reveal()).isEqualTo(KEY);
              assertThat(a.signer()).isInstanceOf(HmacSha256Signer.class);
            });
  }

  @Test
  void singleAccountFromEnvironmentFilesWithTrailingNewlines() throws IOException {
    Path key = write("key.txt", KEY + "\n");
    Path secret = write("secret.txt", SECRET + "\r\n");
    ConfigReader reader =
        env(
            Map.of(
                "PMAS_ACCOUNT_ID", "desk-1",
                "PMAS_API_KEY_FILE", key.toString(),
                "PMAS_API_SECRET_FILE", secret.toString()));

    AccountCredentials account = AccountCredentials.from(reader).get(0);

    assertThat(reader.problems()).isEmpty();
    assertThat(account.accountId()).isEqualTo("desk-1");
    assertThat(account.apiKey().reveal()).isEqualTo(KEY);
    assertThat(account.signer().sign("a=1"))
        .isEqualTo(new HmacSha256Signer(io.pmaccountstream.config.Secret.of(SECRET)).sign("a=1"));
  }

  @Test
  void signerFollowsTheKeyMaterial() throws IOException {
    Path rsa = write("rsa.pem", TestKeys.pkcs8Pem(TestKeys.generate("RSA")));
    Path ed = write("ed.pem", TestKeys.pkcs8Pem(TestKeys.generate("Ed25519")));
    Path pemInSecretFile = write("secret.pem", TestKeys.pkcs8Pem(TestKeys.generate("Ed25519")));
    ConfigReader reader =
        env(
            Map.ofEntries(
                Map.entry("PMAS_ACCOUNTS", "rsa,ed,hmac,pem"),
                Map.entry("PMAS_ACCOUNT_RSA_API_KEY", KEY),
                Map.entry("PMAS_ACCOUNT_RSA_PRIVATE_KEY_FILE", rsa.toString()),
                Map.entry("PMAS_ACCOUNT_ED_API_KEY", KEY),
                Map.entry("PMAS_ACCOUNT_ED_PRIVATE_KEY_FILE", ed.toString()),
                Map.entry("PMAS_ACCOUNT_HMAC_API_KEY", KEY),
                Map.entry("PMAS_ACCOUNT_HMAC_SECRET", SECRET),
                Map.entry("PMAS_ACCOUNT_PEM_API_KEY", KEY),
                Map.entry("PMAS_ACCOUNT_PEM_SECRET_FILE", pemInSecretFile.toString())));

    List<AccountCredentials> accounts = AccountCredentials.from(reader);

    assertThat(reader.problems()).isEmpty();
    assertThat(accounts)
        .extracting(a -> a.accountId() + ":" + a.signer().algorithm())
        .containsExactly("rsa:RSA-SHA256", "ed:Ed25519", "hmac:HMAC-SHA256", "pem:Ed25519");
  }

  @Test
  void multiAccountKeysMixFileAndFlags() throws IOException {
    Path bobSecret = write("bob.secret", SECRET);
    ConfigReader reader =
        new ConfigReader(
            Settings.load(
                Optional.of(
                    write(
                        "pmas.properties",
                        "accounts=alice,bob\n"
                            + "account.alice.api.key="
                            + KEY
                            + "\naccount.alice.secret="
                            + SECRET
                            + "\naccount.bob.api.key=bobkey\n")),
                Map.of("PMAS_ACCOUNT_BOB_SECRET_FILE", bobSecret.toString()),
                Map.of()));

    List<AccountCredentials> accounts = AccountCredentials.from(reader);

    assertThat(reader.problems()).isEmpty();
    assertThat(accounts).extracting(AccountCredentials::accountId).containsExactly("alice", "bob");
    assertThat(accounts.get(1).apiKey().reveal()).isEqualTo("bobkey");
  }

  @Test
  void everyProblemIsCollectedAndNoneShowsASecret() throws IOException {
    Path notPem = write("not.pem", SECRET);
    ConfigReader reader =
        flags(
            Map.ofEntries(
                Map.entry("accounts", "ok,nokey,both,missingfile,notpem,bad!id,spaced"),
                Map.entry("account.ok.api.key", KEY),
                Map.entry("account.ok.secret", SECRET),
                Map.entry("account.nokey.secret", SECRET),
                Map.entry("account.both.api.key", KEY),
                Map.entry("account.both.secret", SECRET),
                Map.entry("account.both.secret.file", notPem.toString()),
                Map.entry("account.missingfile.api.key", KEY),
                Map.entry("account.missingfile.secret.file", dir.resolve("absent").toString()),
                Map.entry("account.notpem.api.key", KEY),
                Map.entry("account.notpem.private.key.file", notPem.toString())));
    Map<String, String> more =
        Map.of("account.spaced.api.key", "abc def", "account.spaced.secret", SECRET);
    reader = new ConfigReader(reader.settings().withFlags(more));

    ConfigReader read = reader;
    assertThatThrownBy(() -> AccountCredentials.from(read))
        .as("the good account 'ok' is not returned without the others: every bad one is reported")
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.problems()).isEqualTo(read.problems()));
    assertThat(reader.problems())
        .hasSize(6)
        .anySatisfy(
            p -> assertThat(p).contains("'nokey'", "no API key", "PMAS_ACCOUNT_NOKEY_API_KEY"))
        .anySatisfy(p -> assertThat(p).contains("'both'", "more than one"))
        .anySatisfy(p -> assertThat(p).contains("account.missingfile.secret.file", "cannot read"))
        .anySatisfy(p -> assertThat(p).contains("account.notpem.private.key.file", "not a PEM"))
        .anySatisfy(p -> assertThat(p).contains("bad!id"))
        .anySatisfy(p -> assertThat(p).contains("'spaced'", "position 4"))
        .allSatisfy(p -> assertThat(p).doesNotContain(SECRET, KEY, "abc def"));
  }

  @Test
  void singleAccountWithoutKeyMaterialSaysWhichKeysToSet() {
    ConfigReader reader = flags(Map.of("api.key", KEY));

    assertThatThrownBy(() -> AccountCredentials.from(reader)).isInstanceOf(ConfigException.class);
    assertThat(reader.problems())
        .singleElement()
        .asString()
        .contains("api.secret", "api.secret.file", "private.key.file", "PMAS_API_SECRET");
  }

  @Test
  void idsThatShareEnvironmentVariablesAreRefused() {
    ConfigReader reader =
        flags(
            Map.of(
                "accounts", "desk-a,DESK-A,desk-a",
                "account.desk-a.api.key", KEY,
                "account.desk-a.secret", SECRET));

    assertThatThrownBy(() -> AccountCredentials.from(reader)).isInstanceOf(ConfigException.class);

    assertThat(reader.problems())
        .anySatisfy(p -> assertThat(p).contains("'desk-a' and 'DESK-A'"))
        .anySatisfy(p -> assertThat(p).contains("'desk-a' twice"));
  }

  @Test
  void oneBadAccountAmongGoodOnesIsAConfigExceptionNotASilentlyShorterList() {
    ConfigReader reader =
        flags(
            Map.of(
                "accounts", "alice,bob,carol",
                "account.alice.api.key", KEY,
                "account.alice.secret", SECRET,
                "account.bob.api.key", KEY,
                "account.carol.api.key", KEY,
                "account.carol.secret", SECRET));

    assertThatThrownBy(() -> AccountCredentials.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .contains("account 'bob' has no HMAC secret or private key"));
  }

  @Test
  void aBadSingleAccountIdIsAConfigException() {
    ConfigReader reader =
        flags(Map.of("account.id", "bad id", "api.key", KEY, "api.secret", SECRET));

    assertThatThrownBy(() -> AccountCredentials.from(reader))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("account.id = 'bad id'"));
  }

  @Test
  void fieldsListsEveryDeclaredKey() throws IllegalAccessException {
    List<ConfigField<?>> declared = new ArrayList<>();
    for (Field field : AccountCredentials.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigField.class) {
        declared.add((ConfigField<?>) field.get(null));
      }
    }

    assertThat(AccountCredentials.fields()).containsExactlyInAnyOrderElementsOf(declared);
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static ConfigReader flags(Map<String, String> flags) {
    return new ConfigReader(Settings.ofFlags(flags));
  }

  private static ConfigReader env(Map<String, String> env) {
    return new ConfigReader(Settings.load(Optional.empty(), env, Map.of()));
  }
}
