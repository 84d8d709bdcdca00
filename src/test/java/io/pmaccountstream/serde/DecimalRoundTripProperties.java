package io.pmaccountstream.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import io.pmaccountstream.testing.Samples;
import java.math.BigDecimal;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any decimal Binance can send (up to 30 integer and 8 fraction digits) survives the serde. */
class DecimalRoundTripProperties {

  private static final String TOPIC = "pm.account.snapshots";

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final ConfluentAvroSerializer<AccountSnapshot> serializer =
      new ConfluentAvroSerializer<>(registry);
  private final ConfluentAvroDeserializer<AccountSnapshot> deserializer =
      new ConfluentAvroDeserializer<>(registry, AccountSnapshot.class);

  @Property(tries = 500)
  void everyDecimalRoundTripsExactlyAtScaleEight(
      @ForAll("decimals") BigDecimal uniMmr,
      @ForAll("decimals") BigDecimal accountEquity,
      @ForAll("decimals") BigDecimal actualEquity,
      @ForAll("decimals") BigDecimal initialMargin,
      @ForAll("decimals") BigDecimal maintMargin,
      @ForAll("decimals") BigDecimal withdrawable) {
    AccountSnapshot snapshot =
        AccountSnapshot.newBuilder(Samples.snapshot())
            .setUniMMR(uniMmr)
            .setAccountEquity(accountEquity)
            .setActualEquity(actualEquity)
            .setAccountInitialMargin(initialMargin)
            .setAccountMaintMargin(maintMargin)
            .setVirtualMaxWithdrawAmount(withdrawable)
            .build();

    AccountSnapshot read = deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, snapshot));

    assertThat(read.getUniMMR()).isEqualTo(uniMmr.setScale(8));
    assertThat(read.getAccountEquity()).isEqualTo(accountEquity.setScale(8));
    assertThat(read.getActualEquity()).isEqualTo(actualEquity.setScale(8));
    assertThat(read.getAccountInitialMargin()).isEqualTo(initialMargin.setScale(8));
    assertThat(read.getAccountMaintMargin()).isEqualTo(maintMargin.setScale(8));
    assertThat(read.getVirtualMaxWithdrawAmount()).isEqualTo(withdrawable.setScale(8));
  }

  /**
   * Up to 30 integer digits and 0 to 8 fraction digits, either sign, edge values (0, ±1, the
   * bounds) included by jqwik.
   */
  @Provide
  Arbitrary<BigDecimal> decimals() {
    Arbitrary<Integer> scales = Arbitraries.integers().between(0, 8);
    return scales.flatMap(
        scale -> {
          BigInteger bound = BigInteger.TEN.pow(30 + scale).subtract(BigInteger.ONE);
          return Arbitraries.bigIntegers()
              .between(bound.negate(), bound)
              .map(unscaled -> new BigDecimal(unscaled, scale));
        });
  }
}
