package io.pmaccountstream.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.Scale;

class AccountValuesProperties {

  @Property
  void uniMmrSetIsExactlyEquityOverMaintMargin(
      @ForAll @BigRange(min = "0", max = "100000") @Scale(8) BigDecimal uniMmr,
      @ForAll @BigRange(min = "1", max = "1000000000") @Scale(8) BigDecimal maintMargin) {
    AccountValues values = AccountValues.ofUniMmr(uniMmr, maintMargin, "NORMAL");

    assertThat(values.uniMmr()).isEqualTo(Decimals.scaled(uniMmr));
    assertThat(AccountValues.uniMmrOf(values.accountEquity(), values.accountMaintMargin()))
        .isEqualTo(values.uniMmr());
    assertThat(values.accountEquity().scale()).isEqualTo(8);
  }

  @Property
  void equitySetGivesUniMmrAtScaleEight(
      @ForAll @BigRange(min = "-1000", max = "1000000000") @Scale(8) BigDecimal equity,
      @ForAll @BigRange(min = "1", max = "1000000000") @Scale(8) BigDecimal maintMargin) {
    AccountValues values = AccountValues.ofEquity(equity, maintMargin, "NORMAL");

    assertThat(values.accountEquity()).isEqualTo(Decimals.scaled(equity));
    assertThat(values.uniMmr().scale()).isEqualTo(8);
    assertThat(values.uniMmr())
        .isEqualTo(AccountValues.uniMmrOf(values.accountEquity(), values.accountMaintMargin()));
  }
}
