package io.pmaccountstream.simulator;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Durations;
import io.pmaccountstream.simulator.fault.Fault;
import io.pmaccountstream.simulator.fault.FaultConfig;
import io.pmaccountstream.simulator.fault.LatencyModel;
import io.pmaccountstream.simulator.scenario.KeyType;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The simulator's configuration: where it listens, which scenarios it runs, its clocks, limits and
 * faults. Read from configuration ({@link #from(ConfigReader)}) by {@code simulate}, or built in
 * code ({@link #builder()}) by tests, benchmarks and the demo.
 *
 * @param scenarios built-in scenario names or scenario file paths
 * @param accounts accounts per built-in scenario; empty means each scenario's default
 * @param speed how much faster than the server clock the scenario clock runs
 * @param clockSkew added to the server clock (timestamps, serverTime, Date, updateTime)
 * @param keyType the key type generated for built-in scenarios' accounts
 * @param credentialsOut where {@code simulate} writes the accounts' credentials, if anywhere
 */
public record SimulatorConfig(
    int port,
    String bindAddress,
    List<String> scenarios,
    Optional<Integer> accounts,
    long seed,
    double speed,
    Duration clockSkew,
    int weightLimit,
    int fapiWeightLimit,
    Duration banDuration,
    int maxConnections,
    Duration idleTimeout,
    KeyType keyType,
    FaultConfig faults,
    Optional<Path> credentialsOut) {

  public static final ConfigField<Integer> PORT =
      ConfigField.integer("simulator.port", "TCP port to listen on; 0 picks a free one")
          .withDefault("0")
          .validate(p -> p >= 0 && p <= 65535, "between 0 and 65535");
  public static final ConfigField<String> BIND_ADDRESS =
      ConfigField.string("simulator.bind.address", "Address to listen on").withDefault("127.0.0.1");
  public static final ConfigField<List<String>> SCENARIO =
      ConfigField.list(
              "simulator.scenario",
              "Built-in scenarios (calm, margin-call, liquidation, flapping, many) or scenario"
                  + " files (YAML/JSON, see docs/simulator.md), comma-separated")
          .withDefault("calm")
          .validate(l -> !l.isEmpty(), "at least one scenario");
  public static final ConfigField<Integer> ACCOUNTS =
      ConfigField.integer(
              "simulator.accounts",
              "Accounts per built-in scenario (default 100 for many, 1 for the others)")
          .validate(n -> n >= 1 && n <= 100_000, "between 1 and 100000");
  public static final ConfigField<Long> SEED =
      ConfigField.longValue(
              "simulator.seed", "Seed of every random choice: paths, generated keys, faults")
          .withDefault("1");
  public static final ConfigField<BigDecimal> SPEED =
      ConfigField.decimal(
              "simulator.speed",
              "Scenario clock speed: 20 plays 40 minutes of a scenario in 2 (the server clock is"
                  + " not affected)")
          .withDefault("1")
          .validate(
              s -> s.signum() > 0 && s.compareTo(BigDecimal.valueOf(100_000)) <= 0,
              "above 0 and at most 100000");
  public static final ConfigField<String> CLOCK_SKEW =
      ConfigField.string(
              "simulator.clock.skew",
              "Offset of the simulator's server clock from this machine's, e.g. 3s or -1500ms")
          .withDefault("0ms")
          .validate(Durations::isValidSigned, "a duration like 3s, -1500ms or PT-2S");
  public static final ConfigField<Integer> WEIGHT_LIMIT =
      ConfigField.integer(
              "simulator.weight.limit", "PAPI request weight per IP per minute (Binance: 6000)")
          .withDefault("6000")
          .validate(n -> n >= 1, "at least 1");
  public static final ConfigField<Integer> FAPI_WEIGHT_LIMIT =
      ConfigField.integer(
              "simulator.fapi.weight.limit",
              "Request weight per IP per minute for /fapi/v1/time (Binance futures: 2400)")
          .withDefault("2400")
          .validate(n -> n >= 1, "at least 1");
  public static final ConfigField<Duration> BAN_DURATION =
      ConfigField.duration(
              "simulator.ban.duration",
              "First IP ban (418) for requests that keep coming after a 429; doubles per ban up to"
                  + " 3 days")
          .withDefault("2m")
          .validate(d -> !d.isNegative() && !d.isZero(), "positive");
  public static final ConfigField<Integer> MAX_CONNECTIONS =
      ConfigField.integer(
              "simulator.max.connections",
              "Open connections served at once (one thread each); more wait in the backlog")
          .withDefault("1024")
          .validate(n -> n >= 1 && n <= 10_000, "between 1 and 10000");
  public static final ConfigField<Duration> IDLE_TIMEOUT =
      ConfigField.duration(
              "simulator.idle.timeout", "Idle keep-alive connections are closed after this")
          .withDefault("60s")
          .validate(d -> d.toMillis() >= 1 && d.toMillis() <= Integer.MAX_VALUE, "positive");
  public static final ConfigField<KeyType> KEY_TYPE =
      ConfigField.enumeration(
              "simulator.key.type",
              KeyType.class,
              "Key type generated for built-in scenarios' accounts (and accounts in files without"
                  + " keys)")
          .withDefault("hmac");
  public static final ConfigField<Path> CREDENTIALS_OUT =
      ConfigField.path(
          "simulator.credentials.out",
          "Write the accounts' API keys and secrets here, as poller configuration (optional)");

  public static final ConfigField<BigDecimal> SERVER_ERROR_RATE =
      rate("simulator.fault.server.error.rate", "500/503 answers (half each)");
  public static final ConfigField<BigDecimal> RESET_RATE =
      rate("simulator.fault.reset.rate", "connections reset (TCP RST) instead of answering");
  public static final ConfigField<BigDecimal> TRUNCATED_BODY_RATE =
      rate(
          "simulator.fault.truncated.body.rate",
          "bodies cut short of their Content-Length, then the connection closed");
  public static final ConfigField<BigDecimal> TRUNCATED_JSON_RATE =
      rate("simulator.fault.truncated.json.rate", "complete responses with JSON cut half-way");
  public static final ConfigField<BigDecimal> HTML_RATE =
      rate("simulator.fault.html.rate", "200 answers with an HTML error page");
  public static final ConfigField<BigDecimal> EMPTY_NUMBER_RATE =
      rate("simulator.fault.empty.number.rate", "one amount served as \"\"");
  public static final ConfigField<BigDecimal> NON_NUMERIC_RATE =
      rate("simulator.fault.non.numeric.rate", "one amount served as a non-number");
  public static final ConfigField<BigDecimal> UNKNOWN_STATUS_RATE =
      rate("simulator.fault.unknown.status.rate", "an undocumented accountStatus");
  public static final ConfigField<BigDecimal> HOSTILE_RATE =
      rate(
          "simulator.fault.hostile.rate",
          "answers from the hostile corpus (docs/simulator.md), in a seeded order");
  public static final ConfigField<Duration> HOSTILE_DRIP =
      ConfigField.duration(
              "simulator.fault.hostile.drip",
              "How long the hostile slow-drip answer takes to deliver its body")
          .withDefault("30s")
          .validate(d -> !d.isNegative() && !d.isZero(), "positive");
  public static final ConfigField<Duration> LATENCY =
      ConfigField.duration(
              "simulator.fault.latency",
              "Account request latency: the fixed part, or the median when lognormal")
          .withDefault("0ms");
  public static final ConfigField<Duration> LATENCY_JITTER =
      ConfigField.duration(
              "simulator.fault.latency.jitter",
              "Fixed latency only: a uniform extra between 0 and this")
          .withDefault("0ms");
  public static final ConfigField<LatencyModel.Distribution> LATENCY_DISTRIBUTION =
      ConfigField.enumeration(
              "simulator.fault.latency.distribution",
              LatencyModel.Distribution.class,
              "Latency distribution")
          .withDefault("fixed");
  public static final ConfigField<BigDecimal> LATENCY_SIGMA =
      ConfigField.decimal(
              "simulator.fault.latency.sigma",
              "Lognormal latency only: standard deviation of the latency's logarithm")
          .withDefault("0.5")
          .validate(s -> s.signum() >= 0 && s.compareTo(BigDecimal.TEN) <= 0, "between 0 and 10");

  private static final Map<Fault, ConfigField<BigDecimal>> FAULT_RATES = faultRates();

  public SimulatorConfig {
    scenarios = List.copyOf(scenarios);
  }

  public static List<ConfigField<?>> fields() {
    List<ConfigField<?>> fields =
        new ArrayList<>(
            List.of(
                PORT,
                BIND_ADDRESS,
                SCENARIO,
                ACCOUNTS,
                SEED,
                SPEED,
                CLOCK_SKEW,
                WEIGHT_LIMIT,
                FAPI_WEIGHT_LIMIT,
                BAN_DURATION,
                MAX_CONNECTIONS,
                IDLE_TIMEOUT,
                KEY_TYPE,
                CREDENTIALS_OUT,
                SERVER_ERROR_RATE));
    fields.addAll(
        List.of(
            RESET_RATE,
            TRUNCATED_BODY_RATE,
            TRUNCATED_JSON_RATE,
            HTML_RATE,
            EMPTY_NUMBER_RATE,
            NON_NUMERIC_RATE,
            UNKNOWN_STATUS_RATE,
            HOSTILE_RATE,
            HOSTILE_DRIP,
            LATENCY,
            LATENCY_JITTER,
            LATENCY_DISTRIBUTION,
            LATENCY_SIGMA));
    return fields;
  }

  /**
   * The {@code simulate} flag of a key: the key without {@code simulator.} and {@code fault.}, dots
   * as dashes ({@code simulator.fault.reset.rate} is {@code --reset-rate}).
   */
  public static String flagOf(String key) {
    return "--"
        + key.replaceFirst("^simulator\\.", "").replaceFirst("^fault\\.", "").replace('.', '-');
  }

  /**
   * Every simulator setting, valid; or a {@link ConfigException} listing every problem the reader
   * has found (read it with {@link ConfigReader#component} to go on listing the other problems of
   * the command).
   */
  public static SimulatorConfig from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    Integer port = reader.get(PORT);
    String bindAddress = reader.get(BIND_ADDRESS);
    List<String> scenarios = reader.get(SCENARIO);
    Optional<Integer> accounts = reader.read(ACCOUNTS);
    Long seed = reader.get(SEED);
    BigDecimal speed = reader.get(SPEED);
    Optional<Duration> clockSkew = reader.read(CLOCK_SKEW).map(Durations::parseSigned);
    Integer weightLimit = reader.get(WEIGHT_LIMIT);
    Integer fapiWeightLimit = reader.get(FAPI_WEIGHT_LIMIT);
    Duration banDuration = reader.get(BAN_DURATION);
    Integer maxConnections = reader.get(MAX_CONNECTIONS);
    Duration idleTimeout = reader.get(IDLE_TIMEOUT);
    KeyType keyType = reader.get(KEY_TYPE);
    Optional<Path> credentialsOut = reader.read(CREDENTIALS_OUT);
    Optional<FaultConfig> faults = faults(reader);
    checkpoint.throwIfNewProblems();
    return new SimulatorConfig(
        port,
        bindAddress,
        scenarios,
        accounts,
        seed,
        speed.doubleValue(),
        clockSkew.orElseThrow(),
        weightLimit,
        fapiWeightLimit,
        banDuration,
        maxConnections,
        idleTimeout,
        keyType,
        faults.orElseThrow(),
        credentialsOut);
  }

  /** The fault settings; empty when one is invalid (its problem is in the reader). */
  private static Optional<FaultConfig> faults(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    Map<Fault, Double> rates = new LinkedHashMap<>();
    BigDecimal total = BigDecimal.ZERO;
    for (Map.Entry<Fault, ConfigField<BigDecimal>> field : FAULT_RATES.entrySet()) {
      // an invalid rate (its problem recorded) counts as 0, so the sum is still checked
      BigDecimal exact = reader.read(field.getValue()).orElse(BigDecimal.ZERO);
      double rate = exact.doubleValue();
      if (field.getKey() == Fault.SERVER_ERROR_500) {
        rates.put(Fault.SERVER_ERROR_500, rate / 2);
        rates.put(Fault.SERVER_ERROR_503, rate / 2);
      } else {
        rates.put(field.getKey(), rate);
      }
      total = total.add(exact);
    }
    if (total.compareTo(BigDecimal.ONE) > 0) {
      reader.problem(
          "simulator.fault.*.rate add up to "
              + total.toPlainString()
              + "; they must add up to at most 1");
    }
    Duration latency = reader.get(LATENCY);
    // sigma is read only for the lognormal model, the jitter only for the fixed one
    boolean lognormal = reader.get(LATENCY_DISTRIBUTION) == LatencyModel.Distribution.LOGNORMAL;
    BigDecimal sigma = lognormal ? reader.get(LATENCY_SIGMA) : null;
    Duration jitter = lognormal ? null : reader.get(LATENCY_JITTER);
    Duration hostileDrip = reader.get(HOSTILE_DRIP);
    if (checkpoint.hasNewProblems()) {
      return Optional.empty();
    }
    LatencyModel model =
        lognormal
            ? LatencyModel.lognormal(latency, sigma.doubleValue())
            : LatencyModel.fixed(latency, jitter);
    return Optional.of(new FaultConfig(rates, model, hostileDrip));
  }

  private static Map<Fault, ConfigField<BigDecimal>> faultRates() {
    Map<Fault, ConfigField<BigDecimal>> rates = new LinkedHashMap<>();
    rates.put(Fault.SERVER_ERROR_500, SERVER_ERROR_RATE);
    rates.put(Fault.CONNECTION_RESET, RESET_RATE);
    rates.put(Fault.TRUNCATED_BODY, TRUNCATED_BODY_RATE);
    rates.put(Fault.TRUNCATED_JSON, TRUNCATED_JSON_RATE);
    rates.put(Fault.HTML_PAGE, HTML_RATE);
    rates.put(Fault.EMPTY_NUMBER, EMPTY_NUMBER_RATE);
    rates.put(Fault.NON_NUMERIC_NUMBER, NON_NUMERIC_RATE);
    rates.put(Fault.UNKNOWN_STATUS, UNKNOWN_STATUS_RATE);
    rates.put(Fault.HOSTILE, HOSTILE_RATE);
    return rates;
  }

  private static ConfigField<BigDecimal> rate(String name, String what) {
    return ConfigField.decimal(name, "Share of account requests answered with " + what)
        .withDefault("0")
        .validate(r -> r.signum() >= 0 && r.compareTo(BigDecimal.ONE) <= 0, "between 0 and 1");
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder builder =
        builder()
            .port(port)
            .bindAddress(bindAddress)
            .scenarios(scenarios)
            .seed(seed)
            .speed(speed)
            .clockSkew(clockSkew)
            .weightLimit(weightLimit)
            .fapiWeightLimit(fapiWeightLimit)
            .banDuration(banDuration)
            .maxConnections(maxConnections)
            .idleTimeout(idleTimeout)
            .keyType(keyType)
            .faults(faults);
    accounts.ifPresent(builder::accounts);
    credentialsOut.ifPresent(builder::credentialsOut);
    return builder;
  }

  /** Builds a configuration in code; starts from the same defaults as the configuration keys. */
  public static final class Builder {
    private int port = 0;
    private String bindAddress = "127.0.0.1";
    private List<String> scenarios = List.of("calm");
    private Optional<Integer> accounts = Optional.empty();
    private long seed = 1;
    private double speed = 1;
    private Duration clockSkew = Duration.ZERO;
    private int weightLimit = 6000;
    private int fapiWeightLimit = 2400;
    private Duration banDuration = Duration.ofMinutes(2);
    private int maxConnections = 1024;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private KeyType keyType = KeyType.HMAC;
    private FaultConfig faults = FaultConfig.none();
    private Optional<Path> credentialsOut = Optional.empty();

    private Builder() {}

    public Builder port(int value) {
      port = value;
      return this;
    }

    public Builder bindAddress(String value) {
      bindAddress = value;
      return this;
    }

    public Builder scenarios(List<String> value) {
      scenarios = List.copyOf(value);
      return this;
    }

    public Builder scenario(String... value) {
      return scenarios(List.of(value));
    }

    public Builder accounts(int value) {
      accounts = Optional.of(value);
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    public Builder speed(double value) {
      speed = value;
      return this;
    }

    public Builder clockSkew(Duration value) {
      clockSkew = value;
      return this;
    }

    public Builder weightLimit(int value) {
      weightLimit = value;
      return this;
    }

    public Builder fapiWeightLimit(int value) {
      fapiWeightLimit = value;
      return this;
    }

    public Builder banDuration(Duration value) {
      banDuration = value;
      return this;
    }

    public Builder maxConnections(int value) {
      maxConnections = value;
      return this;
    }

    public Builder idleTimeout(Duration value) {
      idleTimeout = value;
      return this;
    }

    public Builder keyType(KeyType value) {
      keyType = value;
      return this;
    }

    public Builder faults(FaultConfig value) {
      faults = value;
      return this;
    }

    public Builder credentialsOut(Path value) {
      credentialsOut = Optional.of(value);
      return this;
    }

    public SimulatorConfig build() {
      return new SimulatorConfig(
          port,
          bindAddress,
          scenarios,
          accounts,
          seed,
          speed,
          clockSkew,
          weightLimit,
          fapiWeightLimit,
          banDuration,
          maxConnections,
          idleTimeout,
          keyType,
          faults,
          credentialsOut);
    }
  }
}
