package io.pmaccountstream.simulator.scenario;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One simulated account: its credentials, initial values, the fields a scenario does not drive, and
 * its path over scenario time.
 *
 * @param initial the values at scenario time 0 ({@code at} is ignored); must give the maintenance
 *     margin and uniMMR or equity
 * @param actualEquityRatio {@code actualEquity = accountEquity × ratio} (equity without haircuts)
 * @param initialMarginRatio {@code accountInitialMargin = accountMaintMargin × ratio}
 * @param totalAvailableBalance served as is; Binance often serves {@code ""}
 * @param totalMarginOpenLoss served as is; Binance often serves {@code ""}
 * @param repeat when present, the path starts over every {@code repeat} of scenario time
 */
public record AccountSpec(
    String id,
    Credentials credentials,
    Segment.Step initial,
    BigDecimal actualEquityRatio,
    BigDecimal initialMarginRatio,
    String totalAvailableBalance,
    String totalMarginOpenLoss,
    UpdateTimeMode updateTimeMode,
    Optional<Duration> repeat,
    List<Segment> path) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public AccountSpec {
    Objects.requireNonNull(credentials, "credentials");
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "account id '" + id + "' must be 1-64 letters, digits, '.', '_' or '-'");
    }
    if (initial.accountMaintMargin().isEmpty()
        || (initial.uniMmr().isEmpty() && initial.accountEquity().isEmpty())) {
      throw new IllegalArgumentException(
          "account " + id + ": give accountMaintMargin and uniMMR or accountEquity");
    }
    if (initial.accountMaintMargin().get().compareTo(AccountValues.MIN_MAINT_MARGIN) < 0) {
      throw new IllegalArgumentException("account " + id + ": accountMaintMargin must be >= 1");
    }
    path = List.copyOf(path);
    validatePath(id, path, repeat);
  }

  public static Builder builder(String id, Credentials credentials) {
    return new Builder(id, credentials);
  }

  private static void validatePath(String id, List<Segment> path, Optional<Duration> repeat) {
    Duration previous = Duration.ofMillis(-1);
    for (int i = 0; i < path.size(); i++) {
      Segment segment = path.get(i);
      if (segment.at().compareTo(previous) <= 0) {
        throw new IllegalArgumentException(
            "account " + id + ": path times must be >= 0 and strictly increasing");
      }
      previous = segment.at();
      boolean last = i == path.size() - 1;
      if (segment instanceof Segment.Walk walk
          && walk.to().isPresent()
          && last
          && repeat.isEmpty()) {
        throw new IllegalArgumentException(
            "account " + id + ": a walk with a target ('to') needs a later segment or 'repeat'");
      }
    }
    if (repeat.isPresent()) {
      if (repeat.get().compareTo(previous) <= 0) {
        throw new IllegalArgumentException(
            "account " + id + ": 'repeat' must be longer than the last path time");
      }
    }
  }

  /** Builds specs in code (tests, benchmarks, built-in scenarios). */
  public static final class Builder {
    private final String id;
    private final Credentials credentials;
    private Optional<BigDecimal> uniMmr = Optional.of(new BigDecimal("2"));
    private Optional<BigDecimal> equity = Optional.empty();
    private BigDecimal maintMargin = new BigDecimal("10000");
    private Optional<String> status = Optional.empty();
    private BigDecimal actualEquityRatio = new BigDecimal("1.05");
    private BigDecimal initialMarginRatio = BigDecimal.ONE;
    private String totalAvailableBalance = "";
    private String totalMarginOpenLoss = "";
    private UpdateTimeMode updateTimeMode = UpdateTimeMode.ON_CHANGE;
    private Optional<Duration> repeat = Optional.empty();
    private final List<Segment> path = new ArrayList<>();

    private Builder(String id, Credentials credentials) {
      this.id = id;
      this.credentials = credentials;
    }

    public Builder uniMmr(String value) {
      uniMmr = Optional.of(new BigDecimal(value));
      equity = Optional.empty();
      return this;
    }

    public Builder accountEquity(String value) {
      equity = Optional.of(new BigDecimal(value));
      uniMmr = Optional.empty();
      return this;
    }

    public Builder accountMaintMargin(String value) {
      maintMargin = new BigDecimal(value);
      return this;
    }

    /** Pins the initial status until the first path segment. */
    public Builder status(String value) {
      status = Optional.of(value);
      return this;
    }

    public Builder actualEquityRatio(String value) {
      actualEquityRatio = new BigDecimal(value);
      return this;
    }

    public Builder initialMarginRatio(String value) {
      initialMarginRatio = new BigDecimal(value);
      return this;
    }

    public Builder totalAvailableBalance(String value) {
      totalAvailableBalance = value;
      return this;
    }

    public Builder totalMarginOpenLoss(String value) {
      totalMarginOpenLoss = value;
      return this;
    }

    public Builder updateTimeMode(UpdateTimeMode value) {
      updateTimeMode = value;
      return this;
    }

    public Builder repeat(Duration value) {
      repeat = Optional.of(value);
      return this;
    }

    public Builder then(Segment segment) {
      path.add(segment);
      return this;
    }

    public AccountSpec build() {
      Segment.Step initial =
          new Segment.Step(
              Duration.ZERO,
              uniMmr.map(Decimals::scaled),
              equity.map(Decimals::scaled),
              Optional.of(Decimals.scaled(maintMargin)),
              status);
      return new AccountSpec(
          id,
          credentials,
          initial,
          actualEquityRatio,
          initialMarginRatio,
          totalAvailableBalance,
          totalMarginOpenLoss,
          updateTimeMode,
          repeat,
          path);
    }
  }
}
