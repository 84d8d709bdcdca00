package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.binance.AccountInfo;
import io.pmaccountstream.binance.AccountInfoParser;
import io.pmaccountstream.binance.InputPolicy;
import io.pmaccountstream.binance.PmAccountStatus;
import io.pmaccountstream.binance.ResponseMeta;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The mapper is total: every account that can exist maps, at the schema's scale, exactly. */
class SnapshotMapperTest {

  private static final Instant NOW = Instant.parse("2026-11-23T10:00:05Z");
  private static final ResponseMeta META =
      new ResponseMeta(NOW, Duration.ofMillis(12), OptionalInt.of(40), 1);

  @Test
  void schemaFit_aDecimalWithNinePlacesNeverReachesTheMapper() {
    String body =
        "{\"accountEquity\":\"1.123456789\",\"actualEquity\":\"1\",\"accountInitialMargin\":\"0\","
            + "\"accountMaintMargin\":\"0\",\"accountStatus\":\"NORMAL\","
            + "\"updateTime\":1657707212154}";

    assertThatThrownBy(
            () ->
                new AccountInfoParser(InputPolicy.DEFAULT)
                    .parse(body.getBytes(StandardCharsets.UTF_8), NOW))
        .isInstanceOf(AccountInfoParser.BadPayloadException.class)
        .hasMessage("accountEquity has 9 decimal places (at most 8): \"1.123456789\"");
    assertThatThrownBy(() -> account(new BigDecimal("1.123456789")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyDecimalIsWrittenAtScaleEight() {
    AccountSnapshot snapshot =
        SnapshotMapper.toSnapshot("alice", account(new BigDecimal("1.5")), META, "poller-1", 7);

    assertThat(snapshot.getAccountEquity()).hasToString("1.50000000");
    assertThat(snapshot.getUniMMR()).isNull();
    assertThat(snapshot.getAccountStatus().name()).isEqualTo("NORMAL");
  }

  @Property
  void schemaFit_anyAccountThatExistsMapsExactly(@ForAll("fittingDecimals") BigDecimal equity) {
    AccountSnapshot snapshot =
        SnapshotMapper.toSnapshot("alice", account(equity), META, "poller-1", 1);

    assertThat(snapshot.getAccountEquity().scale()).isEqualTo(8);
    assertThat(snapshot.getAccountEquity()).isEqualByComparingTo(equity);
  }

  /** Decimals with up to 30 integer digits and up to 8 places, written with any trailing zeros. */
  @Provide
  Arbitrary<BigDecimal> fittingDecimals() {
    return Combinators.combine(
            Arbitraries.bigIntegers()
                .between(
                    new java.math.BigInteger("-" + "9".repeat(38)),
                    new java.math.BigInteger("9".repeat(38))),
            Arbitraries.integers().between(0, 4))
        .as(
            (unscaled, zeros) ->
                new BigDecimal(unscaled, 8)
                    .setScale(8 + zeros, java.math.RoundingMode.UNNECESSARY));
  }

  private static AccountInfo account(BigDecimal equity) {
    return new AccountInfo(
        Optional.empty(),
        equity,
        BigDecimal.ONE,
        BigDecimal.ZERO,
        BigDecimal.ZERO,
        PmAccountStatus.NORMAL,
        "NORMAL",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Instant.ofEpochMilli(1657707212154L));
  }
}
