package io.pmaccountstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.LevelEventKind;
import io.pmaccountstream.avro.RiskLevelChange;
import io.pmaccountstream.avro.TransitionDirection;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated record per record schema in {@code schemas/}. */
public final class Samples {

  public static final Instant UPDATE_TIME = Instant.parse("2022-07-13T10:13:32.154Z");
  public static final Instant OBSERVED_AT = Instant.parse("2026-11-23T10:15:30.123Z");

  private Samples() {}

  public static BigDecimal d(String value) {
    return new BigDecimal(value);
  }

  public static AccountSnapshot snapshot() {
    return AccountSnapshot.newBuilder()
        .setAccountId("main")
        .setUniMMR(d("5167.92171923"))
        .setAccountEquity(d("122607.35137903"))
        .setActualEquity(d("73.47428058"))
        .setAccountInitialMargin(d("23.72469206"))
        .setAccountMaintMargin(d("23.72469206"))
        .setAccountStatus(AccountStatus.NORMAL)
        .setAccountStatusRaw("NORMAL")
        .setVirtualMaxWithdrawAmount(d("1627523.32459208"))
        .setTotalAvailableBalance(null)
        .setTotalMarginOpenLoss(null)
        .setUpdateTime(UPDATE_TIME)
        .setObservedAt(OBSERVED_AT)
        .setRequestLatencyMs(42)
        .setUsedWeight1m(20)
        .setPollerInstanceId("poller-1")
        .setSequence(7L)
        .build();
  }

  public static AccountStatusTransition transition() {
    return AccountStatusTransition.newBuilder()
        .setEventId("main|1795429530123|STATUS")
        .setAccountId("main")
        .setPreviousStatus(AccountStatus.NORMAL)
        .setStatus(AccountStatus.MARGIN_CALL)
        .setStatusRaw("MARGIN_CALL")
        .setDirection(TransitionDirection.WORSENED)
        .setUniMMR(d("1.19000000"))
        .setAccountEquity(d("1000.00000000"))
        .setAccountMaintMargin(d("840.33613445"))
        .setUpdateTime(UPDATE_TIME)
        .setObservedAt(OBSERVED_AT)
        .build();
  }

  public static UniMmrLevelEvent levelEvent() {
    return UniMmrLevelEvent.newBuilder()
        .setEventId("main|1795429530123|BREACHED|1.20000000")
        .setAccountId("main")
        .setLevel(d("1.20000000"))
        .setKind(LevelEventKind.BREACHED)
        .setUniMMR(d("1.19000000"))
        .setPreviousUniMMR(d("1.25000000"))
        .setAccountStatus(AccountStatus.NORMAL)
        .setUpdateTime(UPDATE_TIME)
        .setObservedAt(OBSERVED_AT)
        .build();
  }

  public static AccountDerivationState derivationState() {
    return AccountDerivationState.newBuilder()
        .setStatus(AccountStatus.REDUCE_ONLY)
        .setStatusRaw("REDUCE_ONLY")
        .setUniMMR(d("1.10000000"))
        .setUpdateTime(UPDATE_TIME)
        .setObservedAt(OBSERVED_AT)
        .setBreachedLevels(List.of(d("1.50000000"), d("1.20000000")))
        .build();
  }

  public static RiskLevelChange riskLevelChange() {
    return RiskLevelChange.newBuilder()
        .setAccountId("main")
        .setEventTime(OBSERVED_AT)
        .setRiskLevel("MARGIN_CALL")
        .setUniMMR(d("1.19000000"))
        .setAccountEquity(d("1000.00000000"))
        .setActualEquity(d("1200.12345678"))
        .setMaintMargin(d("840.33613445"))
        .setReceivedAt(OBSERVED_AT.plusMillis(87))
        .setPollerInstanceId("poller-1")
        .build();
  }

  /** A sample of each generated record class, by schema full name. */
  public static Map<String, SpecificRecord> byFullName() {
    return Map.of(
        AccountSnapshot.getClassSchema().getFullName(), snapshot(),
        AccountStatusTransition.getClassSchema().getFullName(), transition(),
        UniMmrLevelEvent.getClassSchema().getFullName(), levelEvent(),
        AccountDerivationState.getClassSchema().getFullName(), derivationState(),
        RiskLevelChange.getClassSchema().getFullName(), riskLevelChange());
  }

  /**
   * Field-by-field equality with {@link Object#equals}: unlike the records' own equals (which
   * compares decimals with compareTo), a {@code BigDecimal} of another scale does not pass.
   */
  public static void assertSameFields(SpecificRecord actual, SpecificRecord expected) {
    assertThat(actual).isExactlyInstanceOf(expected.getClass());
    for (Schema.Field field : expected.getSchema().getFields()) {
      assertThat(actual.get(field.pos()))
          .as("field %s", field.name())
          .isEqualTo(expected.get(field.pos()));
    }
  }
}
