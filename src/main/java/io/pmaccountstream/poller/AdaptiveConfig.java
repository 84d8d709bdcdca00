package io.pmaccountstream.poller;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.RiskLevels;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the poller spends its weight budget across accounts: risk-adaptive intervals and
 * push-triggered polls.
 *
 * @param enabled whether each account's interval follows its risk ({@code poll.adaptive}); false:
 *     every account at {@code poll.interval}, exactly as before
 * @param min the interval of an account near a level or not NORMAL ({@code poll.interval.min})
 * @param max the interval of a calm account, and the longest any account waits ({@code
 *     poll.interval.max}, unset: {@code poll.interval})
 * @param pushMinGap at most one push-triggered poll per account per this gap
 * @param headroom share of the scheduled polls' weight the allocation leaves unplanned; with the
 *     user-data stream, also the least share held back for push-triggered polls and listen-key
 *     calls (the weight budget reserves more when pushes need it)
 * @param levels the uniMMR levels distances are measured to ({@code derive.levels})
 */
public record AdaptiveConfig(
    boolean enabled,
    Duration min,
    Duration max,
    Duration pushMinGap,
    double headroom,
    List<BigDecimal> levels) {

  /** At most this interval by default near a level (clipped to poll.interval.max). */
  static final Duration DEFAULT_MIN = Duration.ofSeconds(1);

  public static final ConfigField<Boolean> ADAPTIVE =
      ConfigField.bool(
              "poll.adaptive",
              "Each account's interval follows its distance to the nearest derive.levels level"
                  + " (docs/push.md): calm accounts at poll.interval.max, accounts near a level or"
                  + " in liquidation at poll.interval.min, a short budget shared by water-filling;"
                  + " false: every account at poll.interval")
          .withDefault("true");
  public static final ConfigField<Duration> INTERVAL_MIN =
      ConfigField.duration(
              "poll.interval.min",
              "With poll.adaptive: interval of an account near a level or in liquidation; unset: 1s,"
                  + " or poll.interval.max when that is shorter")
          .validate(d -> d.toMillis() >= 10, "at least 10ms");
  public static final ConfigField<Duration> INTERVAL_MAX =
      ConfigField.duration(
              "poll.interval.max",
              "With poll.adaptive: interval of a calm account, the longest any account waits"
                  + " between two polls; unset: poll.interval")
          .validate(d -> d.toMillis() >= 10, "at least 10ms");
  public static final ConfigField<Duration> PUSH_MIN_GAP =
      ConfigField.duration(
              "poll.push.min.gap",
              "At most one push-triggered poll per account per this gap (more events in between"
                  + " are coalesced into one poll)")
          .withDefault("1s")
          .validate(d -> !d.isNegative(), "zero or positive");
  public static final ConfigField<Double> HEADROOM =
      ConfigField.doubleValue(
              "poll.adaptive.headroom",
              "Share of the scheduled polls' weight the adaptive allocation leaves unplanned (it"
                  + " absorbs re-planning); with the user-data stream on, also the least share of"
                  + " the weight budget held back from scheduled polls for push-triggered polls and"
                  + " listen-key calls (more when pushes use more, up to half)")
          .withDefault("0.1")
          .validate(d -> d >= 0 && d < 1, "in [0, 1)");

  /**
   * Every adaptive setting, valid, with {@code poll.interval.max} defaulting to {@code
   * poll.interval} and {@code poll.interval.min} to the shorter of 1s and the maximum; or a {@link
   * ConfigException} listing every problem the reader has found. The levels are {@code
   * derive.levels}, declared and validated once in {@link RiskLevels} so that the poller and the
   * derivation always agree (listed in the configuration table with the derivation's fields).
   */
  public static AdaptiveConfig from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    Boolean enabled = reader.get(ADAPTIVE);
    Optional<Duration> max = reader.read(INTERVAL_MAX).or(() -> reader.read(PollerConfig.INTERVAL));
    Optional<Duration> min =
        reader
            .read(INTERVAL_MIN)
            .or(() -> max.map(m -> m.compareTo(DEFAULT_MIN) < 0 ? m : DEFAULT_MIN));
    reader.requireNotShorter(INTERVAL_MAX, max.orElse(null), INTERVAL_MIN, min.orElse(null), false);
    Duration pushMinGap = reader.get(PUSH_MIN_GAP);
    Double headroom = reader.get(HEADROOM);
    List<BigDecimal> levels = reader.get(RiskLevels.FIELD);
    checkpoint.throwIfNewProblems();
    return new AdaptiveConfig(
        enabled, min.orElseThrow(), max.orElseThrow(), pushMinGap, headroom, levels);
  }

  /** Fixed polling at {@code interval}: what {@code poll.adaptive=false} means. */
  public static AdaptiveConfig fixed(Duration interval) {
    return new AdaptiveConfig(
        false,
        interval,
        interval,
        PUSH_MIN_GAP.parsedDefault(),
        HEADROOM.parsedDefault(),
        List.of());
  }

  public static List<ConfigField<?>> fields() {
    return List.of(ADAPTIVE, INTERVAL_MIN, INTERVAL_MAX, PUSH_MIN_GAP, HEADROOM);
  }
}
