package io.pmaccountstream.binance.userdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.binance.InputPolicy;
import io.pmaccountstream.binance.userdata.UserDataFrameParser.Result;
import java.math.BigDecimal;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** The frame parser: exact decimals both ways, and nothing but a result leaves it. */
class UserDataFrameParserProperties {

  private final UserDataFrameParser parser = new UserDataFrameParser(InputPolicy.DEFAULT);

  @Property
  void riskLevelChange_readsBackExactlyWhatWasWritten(
      @ForAll("decimals") BigDecimal u,
      @ForAll("decimals") BigDecimal eq,
      @ForAll("nonNegativeDecimals") BigDecimal m,
      @ForAll @LongRange(min = 1483228800000L, max = 4102444800000L) long eventTime) {
    String frame =
        "{\"e\":\"riskLevelChange\",\"E\":"
            + eventTime
            + ",\"u\":\""
            + u.toPlainString()
            + "\",\"s\":\"REDUCE_ONLY\",\"eq\":\""
            + eq.toPlainString()
            + "\",\"ae\":\""
            + eq.toPlainString()
            + "\",\"m\":\""
            + m.toPlainString()
            + "\"}";

    Result result = parser.parse("a", frame);

    assertThat(result)
        .isEqualTo(
            new Result.Event(
                new UserDataEvent.RiskLevelChange(
                    "a", Instant.ofEpochMilli(eventTime), "REDUCE_ONLY", u, eq, eq, m)));
  }

  @Property
  void anyTextIsAResultNeverAThrow(@ForAll("frames") String frame) {
    Result result = parser.parse("a", frame);

    assertThat(result).isNotNull();
    if (result instanceof Result.Malformed bad) {
      assertThat(bad.reason()).isNotBlank();
    }
  }

  @Property
  void aDecimalWithMoreThanEightPlacesIsMalformed(
      @ForAll("decimals") BigDecimal u, @ForAll("nineOrMoreDigits") String extra) {
    String text =
        u.toPlainString()
            + (u.scale() == 0 ? "." : "")
            + "0".repeat(Math.max(0, 8 - u.scale()))
            + extra;
    String frame =
        UserDataFrameParserTest.RISK_LEVEL_CHANGE.replace("\"1.99999999\"", "\"" + text + "\"");

    assertThat(parser.parse("a", frame)).isInstanceOf(Result.Malformed.class);
  }

  @Provide
  Arbitrary<BigDecimal> decimals() {
    return Arbitraries.bigDecimals()
        .between(new BigDecimal("-1000000000000"), new BigDecimal("1000000000000"))
        .ofScale(8);
  }

  @Provide
  Arbitrary<BigDecimal> nonNegativeDecimals() {
    return Arbitraries.bigDecimals()
        .between(BigDecimal.ZERO, new BigDecimal("1000000000000"))
        .ofScale(8);
  }

  @Provide
  Arbitrary<String> nineOrMoreDigits() {
    return Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(5).map(s -> s + "1");
  }

  @Provide
  Arbitrary<String> frames() {
    Arbitrary<String> mutated =
        Arbitraries.strings()
            .withChars("{}[]\":,.-eE0123456789 sumqa\\")
            .ofMaxLength(40)
            .map(
                noise -> {
                  String base = UserDataFrameParserTest.RISK_LEVEL_CHANGE;
                  int at = Math.abs(noise.hashCode()) % base.length();
                  return base.substring(0, at) + noise + base.substring(at);
                });
    return Arbitraries.oneOf(mutated, Arbitraries.strings().ofMaxLength(200));
  }
}
