package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.LevelEventKind;
import io.pmaccountstream.avro.TransitionDirection;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import java.math.BigDecimal;
import java.time.Instant;

/** Records for tests, decimals at the schema's scale 8. */
final class Records {

  static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  private Records() {}

  static BigDecimal dec(String value) {
    return new BigDecimal(value).setScale(8);
  }

  static Instant at(long secondsAfterT0) {
    return T0.plusSeconds(secondsAfterT0);
  }

  /** A snapshot observed and updated at T0 + seconds. */
  static AccountSnapshot snapshot(
      String account, long seconds, String uniMmr, AccountStatus status) {
    return snapshot(account, seconds, seconds, uniMmr, status);
  }

  static AccountSnapshot snapshot(
      String account,
      long updateSeconds,
      long observedSeconds,
      String uniMmr,
      AccountStatus status) {
    return AccountSnapshot.newBuilder()
        .setAccountId(account)
        .setUniMMR(uniMmr == null ? null : dec(uniMmr))
        .setAccountEquity(dec("10000.5"))
        .setActualEquity(dec("10100"))
        .setAccountInitialMargin(dec("2000"))
        .setAccountMaintMargin(dec("800.12345678"))
        .setAccountStatus(status)
        .setAccountStatusRaw(status.name())
        .setVirtualMaxWithdrawAmount(null)
        .setTotalAvailableBalance(dec("5000"))
        .setTotalMarginOpenLoss(null)
        .setUpdateTime(at(updateSeconds))
        .setObservedAt(at(observedSeconds).plusMillis(123))
        .setRequestLatencyMs(42)
        .setUsedWeight1m(null)
        .setPollerInstanceId("poller-1")
        .setSequence(observedSeconds + 1)
        .build();
  }

  static AccountStatusTransition transition(
      String account, long seconds, AccountStatus previous, AccountStatus status) {
    return AccountStatusTransition.newBuilder()
        .setEventId(account + "|" + at(seconds).toEpochMilli() + "|" + status.name())
        .setAccountId(account)
        .setPreviousStatus(previous)
        .setStatus(status)
        .setStatusRaw(status.name())
        .setDirection(previous == null ? TransitionDirection.INITIAL : TransitionDirection.WORSENED)
        .setUniMMR(dec("1.15"))
        .setAccountEquity(dec("10000"))
        .setAccountMaintMargin(dec("869.56521739"))
        .setUpdateTime(at(seconds))
        .setObservedAt(at(seconds))
        .build();
  }

  static UniMmrLevelEvent levelEvent(
      String account, long seconds, LevelEventKind kind, String level, String uniMmr) {
    return UniMmrLevelEvent.newBuilder()
        .setEventId(
            account + "|" + at(seconds).toEpochMilli() + "|" + kind.name() + "|" + dec(level))
        .setAccountId(account)
        .setLevel(dec(level))
        .setKind(kind)
        .setUniMMR(dec(uniMmr))
        .setPreviousUniMMR(null)
        .setAccountStatus(AccountStatus.MARGIN_CALL)
        .setUpdateTime(at(seconds))
        .setObservedAt(at(seconds))
        .build();
  }
}
