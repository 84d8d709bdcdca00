package io.pmaccountstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pmaccountstream.binance.AccountCredentials;
import io.pmaccountstream.binance.AccountInfo;
import io.pmaccountstream.binance.BinanceAccountClient;
import io.pmaccountstream.binance.BinanceClientConfig;
import io.pmaccountstream.binance.FetchOutcome;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pm-account-stream fetch}: reads one account once and prints it as JSON, or prints what is
 * wrong and what to do. The first thing to run with new keys: it checks the API key, the IP
 * whitelist and the Portfolio Margin enrolment. Exit codes: 0 read, 1 Binance or the network
 * failed, 2 configuration problems (all listed).
 */
@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description = {
      "Call GET /papi/v1/account once and print the account as JSON (decimals as strings).",
      "Checks the API key, the IP whitelist and the Portfolio Margin enrolment.",
      "Credentials and settings come from flags, PMAS_* environment variables or --config.",
      "Exit codes: 0 ok, 1 Binance or network failure, 2 configuration problem."
    })
public final class FetchCommand implements Callable<Integer> {

  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;

  @Spec CommandSpec spec;

  @Mixin ConfigOptions config;

  @Option(
      names = "--account-id",
      paramLabel = "ID",
      description =
          "Id of the account (default 'default'); with accounts=a,b configured, which one to read.")
  String accountId;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description = "API key (visible in the process list: prefer --api-key-file or PMAS_API_KEY).")
  String apiKey;

  @Option(names = "--api-key-file", paramLabel = "FILE", description = "File holding the API key.")
  Path apiKeyFile;

  @Option(
      names = "--secret-file",
      paramLabel = "FILE",
      description = "File holding the HMAC secret (or PEM private key).")
  Path secretFile;

  @Option(
      names = "--private-key-file",
      paramLabel = "FILE",
      description = "PKCS#8 PEM file with the RSA or Ed25519 private key.")
  Path privateKeyFile;

  @Option(
      names = "--base-url",
      paramLabel = "URL",
      description = "Binance Portfolio Margin API (default https://papi.binance.com).")
  String baseUrl;

  @Option(
      names = "--recv-window",
      paramLabel = "DURATION",
      description = "recvWindow, e.g. 5s or 5000ms (default 5s, at most 60s).")
  String recvWindow;

  private final Map<String, String> environment;

  public FetchCommand() {
    this(System.getenv());
  }

  FetchCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Wiring wiring = read();
    BinanceClientConfig clientConfig = wiring.client();
    AccountCredentials account = wiring.account();
    try (BinanceAccountClient client =
        new BinanceAccountClient(clientConfig, new SimpleMeterRegistry())) {
      FetchOutcome outcome = client.fetchAccount(account);
      if (outcome instanceof FetchOutcome.Success success) {
        out.println(json(account.accountId(), success));
        out.flush();
        return EXIT_OK;
      }
      printFailure(err, account.accountId(), (FetchOutcome.Failure) outcome);
      return EXIT_FAILED;
    }
  }

  /** Every setting of {@code fetch}, validated together. */
  record Wiring(BinanceClientConfig client, AccountCredentials account) {}

  Wiring read() {
    return ConfigOptions.read(
        settings(),
        reader -> {
          Optional<AccountCredentials> chosen =
              reader.component(AccountCredentials::from).flatMap(a -> choose(a, reader));
          Optional<BinanceClientConfig> client = reader.component(BinanceClientConfig::from);
          reader.throwIfProblems();
          return new Wiring(client.orElseThrow(), chosen.orElseThrow());
        });
  }

  private Settings settings() {
    Map<String, String> flags = new HashMap<>();
    flags.put(AccountCredentials.ACCOUNT_ID.name(), accountId);
    flags.put(AccountCredentials.API_KEY.name(), apiKey);
    flags.put(AccountCredentials.API_KEY_FILE.name(), string(apiKeyFile));
    flags.put(AccountCredentials.API_SECRET_FILE.name(), string(secretFile));
    flags.put(AccountCredentials.PRIVATE_KEY_FILE.name(), string(privateKeyFile));
    flags.put(BinanceClientConfig.BASE_URL.name(), baseUrl);
    flags.put(BinanceClientConfig.RECV_WINDOW.name(), recvWindow);
    boolean credentialFlags =
        apiKey != null || apiKeyFile != null || secretFile != null || privateKeyFile != null;
    if (credentialFlags) {
      // Credentials on the command line describe one account, whatever the file lists.
      flags.put(AccountCredentials.ACCOUNTS.name(), "");
    }
    return config.settings(environment, flags);
  }

  /** The one account to read: the only one configured, or the one --account-id names. */
  private Optional<AccountCredentials> choose(
      List<AccountCredentials> accounts, ConfigReader reader) {
    boolean multi = reader.read(AccountCredentials.ACCOUNTS).filter(l -> !l.isEmpty()).isPresent();
    if (!multi || accounts.size() <= 1 && accountId == null) {
      return accounts.stream().findFirst();
    }
    if (accountId == null) {
      reader.problem(
          "several accounts are configured ("
              + String.join(", ", accounts.stream().map(AccountCredentials::accountId).toList())
              + "): choose one with --account-id");
      return Optional.empty();
    }
    Optional<AccountCredentials> named =
        accounts.stream().filter(a -> a.accountId().equals(accountId)).findFirst();
    if (named.isEmpty()) {
      reader.problem(
          "--account-id "
              + accountId
              + " is not among the configured accounts (accounts="
              + String.join(",", accounts.stream().map(AccountCredentials::accountId).toList())
              + ")");
    }
    return named;
  }

  private static String json(String accountId, FetchOutcome.Success success) {
    AccountInfo account = success.account();
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode node = mapper.createObjectNode();
    node.put("accountId", accountId);
    node.put("accountStatus", account.statusRaw());
    node.put("status", account.status().name());
    decimal(node, "uniMMR", account.uniMMR());
    decimal(node, "accountEquity", Optional.of(account.accountEquity()));
    decimal(node, "actualEquity", Optional.of(account.actualEquity()));
    decimal(node, "accountInitialMargin", Optional.of(account.accountInitialMargin()));
    decimal(node, "accountMaintMargin", Optional.of(account.accountMaintMargin()));
    decimal(node, "virtualMaxWithdrawAmount", account.virtualMaxWithdrawAmount());
    decimal(node, "totalAvailableBalance", account.totalAvailableBalance());
    decimal(node, "totalMarginOpenLoss", account.totalMarginOpenLoss());
    node.put("updateTime", account.updateTime().toString());
    node.put("receivedAt", success.meta().receivedAt().toString());
    node.put("latencyMs", success.meta().latency().toMillis());
    node.put("attempts", success.meta().attempts());
    if (success.meta().usedWeight1m().isPresent()) {
      node.put("usedWeight1m", success.meta().usedWeight1m().getAsInt());
    } else {
      node.putNull("usedWeight1m");
    }
    return node.toPrettyString();
  }

  private static void decimal(ObjectNode node, String field, Optional<BigDecimal> value) {
    if (value.isPresent()) {
      node.put(field, value.get().toPlainString());
    } else {
      node.putNull(field);
    }
  }

  private static void printFailure(PrintWriter err, String accountId, FetchOutcome.Failure f) {
    err.println("Could not read account '" + accountId + "': " + f.kind());
    err.println(
        "  HTTP status:  " + (f.httpStatus().isPresent() ? f.httpStatus().getAsInt() : "-"));
    err.println("  Binance code: " + f.binanceCode().map(String::valueOf).orElse("-"));
    err.println("  message:      " + f.message());
    err.println("  what to do:   " + f.advice());
    if (f.accountFailed()) {
      err.println("  (this account's credentials are at fault; other accounts are not affected)");
    }
    err.flush();
  }

  private static String string(Path path) {
    return path == null ? null : path.toString();
  }
}
