package io.pmaccountstream.simulator.scenario;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * The named scenarios ({@code calm}, {@code margin-call}, {@code liquidation}, {@code flapping},
 * {@code many}). Times are scenario time: at {@code speed=20} the 30-minute {@code margin-call}
 * cycle takes 90 seconds. Accounts are named {@code <scenario>-<n>} from 1; each account's walks
 * use their own seeded stream, and later accounts start a little later so their events interleave.
 */
public final class BuiltInScenarios {

  public static final List<String> NAMES =
      List.of("calm", "margin-call", "liquidation", "flapping", "many");

  private static final Duration STAGGER = Duration.ofSeconds(20);

  private BuiltInScenarios() {}

  public static boolean isBuiltIn(String name) {
    return NAMES.contains(name.toLowerCase(Locale.ROOT));
  }

  /** Default number of accounts when none is asked for: 100 for {@code many}, else 1. */
  public static int defaultAccounts(String name) {
    return name.equalsIgnoreCase("many") ? 100 : 1;
  }

  public static Scenario create(String name, int accounts, long seed, KeyType keyType) {
    if (accounts < 1) {
      throw new IllegalArgumentException("a scenario needs at least one account");
    }
    String key = name.toLowerCase(Locale.ROOT);
    BiFunction<AccountSpec.Builder, Integer, AccountSpec.Builder> shape =
        switch (key) {
          case "calm" -> BuiltInScenarios::calm;
          case "margin-call" -> BuiltInScenarios::marginCall;
          case "liquidation" -> BuiltInScenarios::liquidation;
          case "flapping" -> BuiltInScenarios::flapping;
          case "many" -> (builder, n) -> many(builder, new Random(Seeds.mix(seed, "many", n)));
          default ->
              throw new IllegalArgumentException(
                  "unknown scenario '" + name + "' (built-in: " + String.join(", ", NAMES) + ")");
        };
    List<AccountSpec> specs = new ArrayList<>();
    for (int n = 1; n <= accounts; n++) {
      String id = key + "-" + n;
      Credentials credentials = CredentialsGenerator.generate(id, keyType, seed);
      specs.add(shape.apply(AccountSpec.builder(id, credentials), n).build());
    }
    return new Scenario(specs, StatusThresholds.defaults());
  }

  /** Wanders between 2.5 and 4: always NORMAL. */
  private static AccountSpec.Builder calm(AccountSpec.Builder account, int n) {
    return account
        .uniMmr("3")
        .accountMaintMargin(margin(n))
        .then(
            Segment.Walk.drifting(Duration.ZERO, "0", "0.01", Duration.ofSeconds(10), "2.5", "4"));
  }

  /**
   * NORMAL near 1.8, falls through 1.5 (MARGIN_CALL) and 1.2 (REDUCE_ONLY) to about 1.12, stays in
   * REDUCE_ONLY (never below 1.06), recovers to NORMAL; repeats every 30 minutes.
   */
  private static AccountSpec.Builder marginCall(AccountSpec.Builder account, int n) {
    Duration offset = STAGGER.multipliedBy((n - 1) % 10);
    Duration every = Duration.ofSeconds(5);
    return account
        .uniMmr("1.8")
        .accountMaintMargin(margin(n))
        .repeat(Duration.ofMinutes(30))
        .then(Segment.Walk.drifting(Duration.ZERO, "0", "0.005", every, "1.7", "1.9"))
        .then(Segment.Walk.towards(minutes(2).plus(offset), "1.12", "0.004", every, "1.06", "1.9"))
        .then(Segment.Walk.drifting(minutes(12).plus(offset), "0", "0.004", every, "1.07", "1.17"))
        .then(Segment.Walk.towards(minutes(16).plus(offset), "1.8", "0.004", every, "1.06", "1.9"))
        .then(Segment.Walk.drifting(minutes(26).plus(offset), "0", "0.005", every, "1.7", "1.9"));
  }

  /** From 1.6 falls through 1.5, 1.2 and 1.05 and stays in FORCE_LIQUIDATION below 1.02. */
  private static AccountSpec.Builder liquidation(AccountSpec.Builder account, int n) {
    Duration offset = STAGGER.multipliedBy((n - 1) % 10);
    Duration every = Duration.ofSeconds(5);
    return account
        .uniMmr("1.6")
        .accountMaintMargin(margin(n))
        .then(Segment.Walk.towards(minutes(1).plus(offset), "0.99", "0.003", every, "0.9", "1.7"))
        .then(Segment.Walk.drifting(minutes(11).plus(offset), "0", "0.002", every, "0.95", "1.02"));
  }

  /** Oscillates around 1.2 (between 1.16 and 1.24): REDUCE_ONLY and MARGIN_CALL alternate. */
  private static AccountSpec.Builder flapping(AccountSpec.Builder account, int n) {
    return account
        .uniMmr("1.21")
        .accountMaintMargin(margin(n))
        .then(
            Segment.Walk.drifting(
                Duration.ZERO, "0", "0.012", Duration.ofSeconds(5), "1.16", "1.24"));
  }

  /**
   * Benchmark load: a seeded start between 1.25 and 4, margin between 1,000 and 1,000,000, and a
   * driftless walk every second (so every poll sees a change); some accounts cross thresholds.
   */
  private static AccountSpec.Builder many(AccountSpec.Builder account, Random random) {
    BigDecimal start = Decimals.of(1.25 + random.nextDouble() * 2.75);
    BigDecimal margin = BigDecimal.valueOf(1_000 + random.nextInt(999_001));
    return account
        .uniMmr(start.toPlainString())
        .accountMaintMargin(margin.toPlainString())
        .then(
            Segment.Walk.drifting(Duration.ZERO, "0", "0.01", Duration.ofSeconds(1), "0.95", "8"));
  }

  private static String margin(int n) {
    return BigDecimal.valueOf(25_000L * n).add(new BigDecimal("0.12345678")).toPlainString();
  }

  private static Duration minutes(long m) {
    return Duration.ofMinutes(m);
  }
}
