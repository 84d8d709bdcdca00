package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.replay.AccountFilter;
import io.pmaccountstream.replay.TimeArgument;
import io.pmaccountstream.replay.TimeRange;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code replay} and {@code export} share: the configuration and connection options, the time
 * range, the accounts and {@code --quiet}; problems go to the reader.
 */
final class HistoryArguments {

  @Mixin ConfigOptions config;
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "TIME",
      description = "Start of the range (inclusive): 2026-11-24T10:00:00Z, 2026-11-24, -2h, now.")
  String from;

  @Option(
      names = "--to",
      defaultValue = "now",
      paramLabel = "TIME",
      description =
          "End of the range (exclusive), same forms as --from. Default: ${DEFAULT-VALUE}.")
  String to;

  @Option(
      names = "--accounts",
      split = ",",
      paramLabel = "ID",
      description = "Only these accounts (comma-separated). Default: all.")
  List<String> accounts = List.of();

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress lines on stderr.")
  boolean quiet;

  /** What every history command reads before its own settings. */
  record Common(
      KafkaConnection connection, Topics topics, TimeRange range, AccountFilter accounts) {}

  /**
   * Reads the connection, topics, range and accounts with {@code reader}; a part is null when
   * invalid (its problem is recorded), so call {@link ConfigReader#throwIfProblems} before using
   * the parts.
   */
  Common common(ConfigReader reader, Clock clock) {
    return new Common(
        reader.component(KafkaConnection::from).orElse(null),
        reader.component(Topics::from).orElse(null),
        range(reader, clock),
        accounts());
  }

  /** The connection flags plus the command's own, as configuration keys. */
  Map<String, String> flags() {
    return connection.flags();
  }

  /**
   * The range of {@code --from}/{@code --to}, both relative to the same instant (so {@code --from
   * -1h --to now} is exactly one hour); null when invalid.
   */
  private TimeRange range(ConfigReader reader, Clock clock) {
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

  private AccountFilter accounts() {
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
