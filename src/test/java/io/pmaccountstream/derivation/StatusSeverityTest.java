package io.pmaccountstream.derivation;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.TransitionDirection;
import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusSeverityTest {

  @Test
  void ordersStatusesFromNormalToBankrupted() {
    AccountStatus[] ranked =
        Arrays.stream(AccountStatus.values())
            .filter(s -> StatusSeverity.rank(s) != StatusSeverity.UNRANKED)
            .sorted(Comparator.comparingInt(StatusSeverity::rank))
            .toArray(AccountStatus[]::new);

    assertThat(ranked)
        .containsExactly(
            AccountStatus.NORMAL,
            AccountStatus.MARGIN_CALL,
            AccountStatus.SUPPLY_MARGIN,
            AccountStatus.REDUCE_ONLY,
            AccountStatus.ACTIVE_LIQUIDATION,
            AccountStatus.FORCE_LIQUIDATION,
            AccountStatus.BANKRUPTED);
    assertThat(Arrays.stream(ranked).mapToInt(StatusSeverity::rank))
        .containsExactly(0, 1, 2, 3, 4, 5, 6);
  }

  @Test
  void unknownHasNoRank() {
    assertThat(StatusSeverity.rank(AccountStatus.UNKNOWN)).isEqualTo(StatusSeverity.UNRANKED);
  }

  @ParameterizedTest(name = "{0} -> {1} is {2}")
  @CsvSource({
    "NORMAL, MARGIN_CALL, WORSENED",
    "MARGIN_CALL, REDUCE_ONLY, WORSENED",
    "NORMAL, BANKRUPTED, WORSENED",
    "FORCE_LIQUIDATION, ACTIVE_LIQUIDATION, IMPROVED",
    "SUPPLY_MARGIN, NORMAL, IMPROVED",
    "UNKNOWN, NORMAL, UNKNOWN",
    "REDUCE_ONLY, UNKNOWN, UNKNOWN",
    "UNKNOWN, UNKNOWN, UNKNOWN",
    "NORMAL, NORMAL, UNKNOWN",
  })
  void directionFollowsTheSeverityOrder(
      AccountStatus from, AccountStatus to, TransitionDirection expected) {
    assertThat(StatusSeverity.direction(from, to)).isEqualTo(expected);
  }

  @Test
  void noPreviousStatusIsInitial() {
    for (AccountStatus status : AccountStatus.values()) {
      assertThat(StatusSeverity.direction(null, status)).isEqualTo(TransitionDirection.INITIAL);
    }
  }
}
