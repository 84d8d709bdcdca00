package io.pmaccountstream.poller;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.binance.AccountInfo;
import io.pmaccountstream.binance.PmAccountStatus;
import io.pmaccountstream.binance.ResponseMeta;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * Turns a parsed account response into the published record, every decimal at the schema's scale.
 * Total: any {@link AccountInfo} maps, because the input policy bounds what one can hold.
 */
final class SnapshotMapper {

  /**
   * The scale of every decimal in schemas/: ksqlDB fails on records whose scale differs from the
   * schema's.
   */
  static final int SCALE = 8;

  private SnapshotMapper() {}

  static AccountSnapshot toSnapshot(
      String accountId, AccountInfo info, ResponseMeta meta, String instanceId, long sequence) {
    return AccountSnapshot.newBuilder()
        .setAccountId(accountId)
        .setUniMMR(scaled(info.uniMMR()))
        .setAccountEquity(scaled(info.accountEquity()))
        .setActualEquity(scaled(info.actualEquity()))
        .setAccountInitialMargin(scaled(info.accountInitialMargin()))
        .setAccountMaintMargin(scaled(info.accountMaintMargin()))
        .setAccountStatus(status(info.status()))
        .setAccountStatusRaw(info.statusRaw())
        .setVirtualMaxWithdrawAmount(scaled(info.virtualMaxWithdrawAmount()))
        .setTotalAvailableBalance(scaled(info.totalAvailableBalance()))
        .setTotalMarginOpenLoss(scaled(info.totalMarginOpenLoss()))
        .setUpdateTime(info.updateTime())
        .setObservedAt(meta.receivedAt())
        .setRequestLatencyMs((int) Math.min(Integer.MAX_VALUE, meta.latency().toMillis()))
        .setUsedWeight1m(meta.usedWeight1m().isPresent() ? meta.usedWeight1m().getAsInt() : null)
        .setPollerInstanceId(instanceId)
        .setSequence(sequence)
        .build();
  }

  /**
   * Whether two snapshots carry the same account state, ignoring poll metadata (observedAt,
   * latency, weight, instance, sequence).
   */
  static boolean sameState(AccountSnapshot a, AccountSnapshot b) {
    return a.getAccountId().equals(b.getAccountId())
        && java.util.Objects.equals(a.getUniMMR(), b.getUniMMR())
        && a.getAccountEquity().equals(b.getAccountEquity())
        && a.getActualEquity().equals(b.getActualEquity())
        && a.getAccountInitialMargin().equals(b.getAccountInitialMargin())
        && a.getAccountMaintMargin().equals(b.getAccountMaintMargin())
        && a.getAccountStatus() == b.getAccountStatus()
        && a.getAccountStatusRaw().equals(b.getAccountStatusRaw())
        && java.util.Objects.equals(
            a.getVirtualMaxWithdrawAmount(), b.getVirtualMaxWithdrawAmount())
        && java.util.Objects.equals(a.getTotalAvailableBalance(), b.getTotalAvailableBalance())
        && java.util.Objects.equals(a.getTotalMarginOpenLoss(), b.getTotalMarginOpenLoss())
        && a.getUpdateTime().equals(b.getUpdateTime());
  }

  private static AccountStatus status(PmAccountStatus status) {
    return AccountStatus.valueOf(status.name());
  }

  /**
   * Exact, and never fails: {@link AccountInfo} holds only decimals that fit {@code decimal(38, 8)}
   * without rounding ({@link io.pmaccountstream.binance.InputPolicy#fitsSchema}); the parser turns
   * anything else into a bad payload before an AccountInfo exists.
   */
  private static BigDecimal scaled(BigDecimal value) {
    return value.setScale(SCALE, RoundingMode.UNNECESSARY);
  }

  private static BigDecimal scaled(Optional<BigDecimal> value) {
    return value.map(SnapshotMapper::scaled).orElse(null);
  }
}
