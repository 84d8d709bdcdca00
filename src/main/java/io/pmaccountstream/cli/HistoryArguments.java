package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.replay.AccountFilter;
import io.pmaccountstream.replay.TimeArgument;
import io.pmaccountstream.replay.TimeRange;
import io.pmaccountstream.replay.WarmUp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Parsing of the arguments {@code replay} and {@code export} share; problems go to the reader. */
final class HistoryArguments {

  private HistoryArguments() {}

  /**
   * The range of {@code --from}/{@code --to}, both relative to the same instant (so {@code --from
   * -1h --to now} is exactly one hour); null when invalid.
   */
  static TimeRange range(ConfigReader reader, String from, String to, Clock clock) {
    Clock fixed = Clock.fixed(clock.instant(), ZoneOffset.UTC);
    Instant start = time(reader, "--from", from, fixed);
    Instant end = time(reader, "--to", to, fixed);
    if (start == null || end == null) {
      return null;
    }
    try {
      return new TimeRange(start, end);
    } catch (IllegalArgumentException e) {
      reader.problem(e.getMessage());
      return null;
    }
  }

  static WarmUp warmUp(ConfigReader reader, String text) {
    try {
      return WarmUp.parse(text);
    } catch (IllegalArgumentException e) {
      reader.problem("--warm-up: " + e.getMessage() + " (or all)");
      return null;
    }
  }

  static AccountFilter accounts(List<String> accounts) {
    Set<String> ids = new LinkedHashSet<>();
    for (String account : accounts) {
      if (!account.isBlank()) {
        ids.add(account.trim());
      }
    }
    return AccountFilter.only(ids);
  }

  private static Instant time(ConfigReader reader, String option, String text, Clock clock) {
    try {
      return TimeArgument.parse(text, clock);
    } catch (IllegalArgumentException e) {
      reader.problem(option + ": " + e.getMessage());
      return null;
    }
  }
}
