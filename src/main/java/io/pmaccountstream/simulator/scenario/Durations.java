package io.pmaccountstream.simulator.scenario;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/**
 * Parses durations the way the project's configuration writes them ({@code 500ms}, {@code 5s},
 * {@code 2m}, {@code 1h}, {@code 3d}, ISO-8601 {@code PT5S}), with an optional sign for clock skews
 * ({@code -1500ms}).
 */
public final class Durations {

  private Durations() {}

  public static Duration parse(String raw) {
    String s = raw.trim().toLowerCase(Locale.ROOT);
    boolean negative = s.startsWith("-");
    if (negative || s.startsWith("+")) {
      s = s.substring(1).trim();
    }
    Duration value = s.startsWith("p") ? Duration.parse(s.toUpperCase(Locale.ROOT)) : withUnit(s);
    return negative ? value.negated() : value;
  }

  public static boolean isValid(String raw) {
    try {
      parse(raw);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Duration withUnit(String s) {
    int split = 0;
    while (split < s.length() && (Character.isDigit(s.charAt(split)) || s.charAt(split) == '.')) {
      split++;
    }
    if (split == 0) {
      throw new IllegalArgumentException(
          "expected a number with a unit, like 500ms, 5s, 2m, 1h or 3d: '" + s + "'");
    }
    BigDecimal amount = new BigDecimal(s.substring(0, split));
    long unitMillis =
        switch (s.substring(split).trim()) {
          case "ms" -> 1;
          case "s", "" -> 1_000;
          case "m", "min" -> 60_000;
          case "h" -> 3_600_000;
          case "d" -> 86_400_000;
          default ->
              throw new IllegalArgumentException(
                  "unknown unit in '" + s + "' (use ms, s, m, h or d)");
        };
    return Duration.ofMillis(amount.multiply(BigDecimal.valueOf(unitMillis)).longValueExact());
  }
}
