package io.pmaccountstream.testing;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/** Readable AccountSnapshot fixtures: {@code TestSnapshots.of("acct-1").uniMmr("1.3").at(10)}. */
public final class TestSnapshots {

  /** Epoch millis of {@code at(0)}: 2024-11-23T12:00:00Z. */
  public static final long BASE_MILLIS = 1_732_363_200_000L;

  private final String accountId;
  private BigDecimal uniMmr = decimal("2");
  private AccountStatus status = AccountStatus.NORMAL;
  private String statusRaw;
  private BigDecimal equity = decimal("10000");
  private BigDecimal maintMargin = decimal("5000");
  private Long updateMillis;
  private long sequence = 1;

  private TestSnapshots(String accountId) {
    this.accountId = accountId;
  }

  public static TestSnapshots of(String accountId) {
    return new TestSnapshots(accountId);
  }

  public static BigDecimal decimal(String value) {
    return new BigDecimal(value).setScale(8, RoundingMode.UNNECESSARY);
  }

  public static Instant instant(long secondsAfterBase) {
    return Instant.ofEpochMilli(BASE_MILLIS + secondsAfterBase * 1000);
  }

  /** A null argument means Binance sent an empty uniMMR. */
  public TestSnapshots uniMmr(String value) {
    this.uniMmr = value == null ? null : decimal(value);
    return this;
  }

  public TestSnapshots status(AccountStatus value) {
    this.status = value;
    return this;
  }

  /** An UNKNOWN status as Binance sent it. */
  public TestSnapshots unknownStatus(String raw) {
    this.status = AccountStatus.UNKNOWN;
    this.statusRaw = raw;
    return this;
  }

  public TestSnapshots equity(String value) {
    this.equity = decimal(value);
    return this;
  }

  /** updateTime in seconds after the base; defaults to the observation time. */
  public TestSnapshots updatedAt(long secondsAfterBase) {
    this.updateMillis = BASE_MILLIS + secondsAfterBase * 1000;
    return this;
  }

  public TestSnapshots sequence(long value) {
    this.sequence = value;
    return this;
  }

  /** The snapshot observed {@code secondsAfterBase} seconds after the base. */
  public AccountSnapshot at(long secondsAfterBase) {
    return atMillis(BASE_MILLIS + secondsAfterBase * 1000);
  }

  public AccountSnapshot atMillis(long observedAtMillis) {
    Instant observedAt = Instant.ofEpochMilli(observedAtMillis);
    Instant updateTime = updateMillis == null ? observedAt : Instant.ofEpochMilli(updateMillis);
    return AccountSnapshot.newBuilder()
        .setAccountId(accountId)
        .setUniMMR(uniMmr)
        .setAccountEquity(equity)
        .setActualEquity(equity)
        .setAccountInitialMargin(maintMargin)
        .setAccountMaintMargin(maintMargin)
        .setAccountStatus(status)
        .setAccountStatusRaw(statusRaw == null ? status.name() : statusRaw)
        .setVirtualMaxWithdrawAmount(null)
        .setTotalAvailableBalance(null)
        .setTotalMarginOpenLoss(null)
        .setUpdateTime(updateTime)
        .setObservedAt(observedAt)
        .setRequestLatencyMs(42)
        .setUsedWeight1m(20)
        .setPollerInstanceId("poller-test")
        .setSequence(sequence)
        .build();
  }
}
