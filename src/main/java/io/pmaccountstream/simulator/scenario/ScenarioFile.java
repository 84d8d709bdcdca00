package io.pmaccountstream.simulator.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.Durations;
import io.pmaccountstream.config.Secret;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a scenario file (YAML, or JSON when the name ends in {@code .json}); the format is in
 * {@code docs/simulator.md}. Every problem in the file is reported at once, each with its location
 * ({@code accounts[1].path[0].walk.every}).
 */
public final class ScenarioFile {

  private static final Set<String> TOP_KEYS = Set.of("thresholds", "accounts");
  private static final Set<String> ACCOUNT_KEYS =
      Set.of(
          "id",
          "apiKey",
          "secret",
          "publicKeyPem",
          "keyType",
          "uniMMR",
          "accountEquity",
          "accountMaintMargin",
          "status",
          "actualEquityRatio",
          "initialMarginRatio",
          "totalAvailableBalance",
          "totalMarginOpenLoss",
          "updateTime",
          "repeat",
          "path");
  private static final Set<String> STEP_KEYS =
      Set.of("at", "uniMMR", "accountEquity", "accountMaintMargin", "status", "walk");
  private static final Set<String> WALK_KEYS =
      Set.of("drift", "to", "volatility", "every", "min", "max");

  private final Path baseDir;
  private final long seed;
  private final KeyType defaultKeyType;
  private final List<String> problems = new ArrayList<>();

  private ScenarioFile(Path baseDir, long seed, KeyType defaultKeyType) {
    this.baseDir = baseDir;
    this.seed = seed;
    this.defaultKeyType = defaultKeyType;
  }

  public static Scenario load(Path file, long seed) {
    return load(file, seed, KeyType.HMAC);
  }

  /**
   * Reads and validates a file; relative key paths resolve against the file's directory. Accounts
   * without keys get generated ones of their {@code keyType}, else of {@code defaultKeyType}.
   */
  public static Scenario load(Path file, long seed, KeyType defaultKeyType) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(List.of("cannot read scenario file " + file + ": " + e));
    }
    boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, json, dir, seed, defaultKeyType);
  }

  public static Scenario parse(String text, boolean json, Path baseDir, long seed) {
    return parse(text, json, baseDir, seed, KeyType.HMAC);
  }

  /** Parses scenario text; {@code json} false means YAML. */
  public static Scenario parse(
      String text, boolean json, Path baseDir, long seed, KeyType defaultKeyType) {
    ObjectMapper mapper = json ? new ObjectMapper() : new YAMLMapper();
    mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          List.of(
              "scenario is not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage()));
    }
    return new ScenarioFile(baseDir, seed, defaultKeyType).read(root);
  }

  private Scenario read(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new ConfigException(List.of("scenario must be a mapping with 'accounts'"));
    }
    unknownKeys(root, TOP_KEYS, "");
    StatusThresholds thresholds =
        root.has("thresholds") ? thresholds(root.get("thresholds")) : StatusThresholds.defaults();
    List<AccountSpec> accounts = new ArrayList<>();
    JsonNode list = root.get("accounts");
    if (list == null || !list.isArray() || list.isEmpty()) {
      problems.add("accounts: a non-empty list is required");
    } else {
      for (int i = 0; i < list.size(); i++) {
        account(list.get(i), "accounts[" + i + "]").ifPresent(accounts::add);
      }
    }
    Scenario scenario = null;
    if (problems.isEmpty()) {
      try {
        scenario = new Scenario(accounts, thresholds);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return scenario;
  }

  private StatusThresholds thresholds(JsonNode node) {
    List<StatusThresholds.Level> levels = new ArrayList<>();
    if (!node.isArray()) {
      problems.add("thresholds: expected a list of {below, status}");
      return StatusThresholds.defaults();
    }
    for (int i = 0; i < node.size(); i++) {
      String where = "thresholds[" + i + "]";
      JsonNode level = node.get(i);
      unknownKeys(level, Set.of("below", "status"), where);
      Optional<BigDecimal> below = decimal(level, "below", where);
      Optional<String> status = text(level, "status", where);
      if (below.isEmpty() || status.isEmpty()) {
        problems.add(where + ": needs 'below' and 'status'");
      } else {
        levels.add(new StatusThresholds.Level(below.get(), status.get()));
      }
    }
    return new StatusThresholds(levels);
  }

  private Optional<AccountSpec> account(JsonNode node, String where) {
    if (!node.isObject()) {
      problems.add(where + ": expected a mapping");
      return Optional.empty();
    }
    unknownKeys(node, ACCOUNT_KEYS, where);
    int before = problems.size();
    String id = text(node, "id", where).orElse(null);
    if (id == null) {
      problems.add(where + ".id: required");
      return Optional.empty();
    }
    Credentials credentials = credentials(node, id, where);
    AccountSpec.Builder builder = AccountSpec.builder(id, credentials);
    decimal(node, "uniMMR", where).ifPresent(v -> builder.uniMmr(v.toPlainString()));
    decimal(node, "accountEquity", where).ifPresent(v -> builder.accountEquity(v.toPlainString()));
    if (node.has("uniMMR") && node.has("accountEquity")) {
      problems.add(where + ": give uniMMR or accountEquity, not both (the other follows)");
    }
    decimal(node, "accountMaintMargin", where)
        .ifPresent(v -> builder.accountMaintMargin(v.toPlainString()));
    text(node, "status", where).ifPresent(builder::status);
    decimal(node, "actualEquityRatio", where)
        .ifPresent(v -> builder.actualEquityRatio(v.toPlainString()));
    decimal(node, "initialMarginRatio", where)
        .ifPresent(v -> builder.initialMarginRatio(v.toPlainString()));
    text(node, "totalAvailableBalance", where).ifPresent(builder::totalAvailableBalance);
    text(node, "totalMarginOpenLoss", where).ifPresent(builder::totalMarginOpenLoss);
    parsed(node, "updateTime", where, ScenarioFile::updateTimeMode, "on-change or on-status-change")
        .ifPresent(builder::updateTimeMode);
    duration(node, "repeat", where).ifPresent(builder::repeat);
    JsonNode path = node.get("path");
    if (path != null) {
      if (!path.isArray()) {
        problems.add(where + ".path: expected a list");
      } else {
        for (int i = 0; i < path.size(); i++) {
          segment(path.get(i), where + ".path[" + i + "]").ifPresent(builder::then);
        }
      }
    }
    if (problems.size() > before || credentials == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(builder.build());
    } catch (IllegalArgumentException e) {
      problems.add(where + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  private Credentials credentials(JsonNode node, String id, String where) {
    Optional<String> apiKey = text(node, "apiKey", where);
    Optional<String> secret = text(node, "secret", where);
    Optional<String> pem = text(node, "publicKeyPem", where);
    KeyType keyType =
        parsed(
                node,
                "keyType",
                where,
                s -> KeyType.valueOf(s.toUpperCase(Locale.ROOT)),
                "hmac, rsa or ed25519")
            .orElse(defaultKeyType);
    if (secret.isPresent() && pem.isPresent()) {
      problems.add(where + ": give 'secret' (HMAC) or 'publicKeyPem' (RSA/Ed25519), not both");
      return null;
    }
    if ((secret.isPresent() || pem.isPresent()) && apiKey.isEmpty()) {
      problems.add(where + ".apiKey: required when the account's secret or key is given");
      return null;
    }
    if (secret.isPresent()) {
      return Credentials.hmac(apiKey.get(), Secret.of(secret.get()));
    }
    if (pem.isPresent()) {
      Path file = baseDir == null ? Path.of(pem.get()) : baseDir.resolve(pem.get());
      try {
        return Credentials.publicKey(apiKey.get(), PemKeys.readPublicKey(file));
      } catch (IOException | IllegalArgumentException e) {
        problems.add(
            where + ".publicKeyPem: cannot read a public key from " + file + ": " + e.getMessage());
        return null;
      }
    }
    Credentials generated = CredentialsGenerator.generate(id, keyType, seed);
    if (apiKey.isEmpty()) {
      return generated;
    }
    return generated.privateKey().isPresent()
        ? Credentials.keyPair(
            apiKey.get(), generated.publicKey().get(), generated.privateKey().get())
        : Credentials.hmac(apiKey.get(), generated.hmacSecret().get());
  }

  private Optional<Segment> segment(JsonNode node, String where) {
    if (!node.isObject()) {
      problems.add(where + ": expected a mapping");
      return Optional.empty();
    }
    unknownKeys(node, STEP_KEYS, where);
    Optional<Duration> at = duration(node, "at", where);
    if (at.isEmpty()) {
      problems.add(where + ".at: required");
      return Optional.empty();
    }
    try {
      if (node.has("walk")) {
        for (String key : List.of("uniMMR", "accountEquity", "accountMaintMargin", "status")) {
          if (node.has(key)) {
            problems.add(where + ": a walk segment cannot also set '" + key + "'");
          }
        }
        return walk(at.get(), node.get("walk"), where + ".walk");
      }
      return Optional.of(
          new Segment.Step(
              at.get(),
              decimal(node, "uniMMR", where),
              decimal(node, "accountEquity", where),
              decimal(node, "accountMaintMargin", where),
              text(node, "status", where)));
    } catch (IllegalArgumentException e) {
      problems.add(where + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<Segment> walk(Duration at, JsonNode node, String where) {
    if (!node.isObject()) {
      problems.add(where + ": expected a mapping");
      return Optional.empty();
    }
    unknownKeys(node, WALK_KEYS, where);
    return Optional.of(
        new Segment.Walk(
            at,
            decimal(node, "drift", where),
            decimal(node, "to", where),
            decimal(node, "volatility", where).orElse(BigDecimal.ZERO),
            duration(node, "every", where).orElse(Duration.ofSeconds(1)),
            decimal(node, "min", where).orElse(BigDecimal.ZERO),
            decimal(node, "max", where).orElse(new BigDecimal("1000"))));
  }

  private static UpdateTimeMode updateTimeMode(String raw) {
    return UpdateTimeMode.valueOf(raw.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  private void unknownKeys(JsonNode node, Set<String> known, String where) {
    if (!node.isObject()) {
      return;
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        problems.add(
            (where.isEmpty() ? "" : where + ".")
                + name
                + ": unknown key (known: "
                + String.join(", ", known.stream().sorted().toList())
                + ")");
      }
    }
  }

  private Optional<String> text(JsonNode node, String key, String where) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isValueNode()) {
      problems.add(where + "." + key + ": expected a value");
      return Optional.empty();
    }
    return Optional.of(value.asText());
  }

  private Optional<BigDecimal> decimal(JsonNode node, String key, String where) {
    return parsed(node, key, where, BigDecimal::new, "a decimal number");
  }

  private Optional<Duration> duration(JsonNode node, String key, String where) {
    return parsed(node, key, where, Durations::parse, "a duration like 30s, 5m or PT1H");
  }

  private <T> Optional<T> parsed(
      JsonNode node, String key, String where, Function<String, T> parser, String expected) {
    Optional<String> raw = text(node, key, where);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(parser.apply(raw.get().trim()));
    } catch (RuntimeException e) {
      problems.add(where + "." + key + ": '" + raw.get() + "' is not " + expected);
      return Optional.empty();
    }
  }
}
