package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The parser keeps Binance's decimals exactly, whatever their digits. */
class AccountInfoParserProperties {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Map<String, Function<AccountInfo, Optional<BigDecimal>>> DECIMALS =
      Map.of(
          "uniMMR",
          AccountInfo::uniMMR,
          "accountEquity",
          a -> Optional.of(a.accountEquity()),
          "actualEquity",
          a -> Optional.of(a.actualEquity()),
          "accountInitialMargin",
          a -> Optional.of(a.accountInitialMargin()),
          "accountMaintMargin",
          a -> Optional.of(a.accountMaintMargin()),
          "virtualMaxWithdrawAmount",
          AccountInfo::virtualMaxWithdrawAmount,
          "totalAvailableBalance",
          AccountInfo::totalAvailableBalance,
          "totalMarginOpenLoss",
          AccountInfo::totalMarginOpenLoss);

  private static final List<String> OPTIONAL =
      List.of("uniMMR", "virtualMaxWithdrawAmount", "totalAvailableBalance", "totalMarginOpenLoss");

  @Property
  void anyDecimalStringRoundTripsExactly(
      @ForAll("decimalFields") String field, @ForAll("decimalStrings") String decimal) {
    Assume.that(!decimal.startsWith("-") || signed(field));
    ObjectNode body = docExample();
    body.put(field, decimal);

    AccountInfo account = AccountInfoParserTest.parse(body.toString());

    BigDecimal read = DECIMALS.get(field).apply(account).orElseThrow();
    assertThat(read.toPlainString()).isEqualTo(decimal);
    assertThat(read).isEqualTo(new BigDecimal(decimal));
  }

  @Property
  void emptyNullOrAbsentOptionalFieldsAreEmpty(
      @ForAll("optionalFields") String field, @ForAll("absence") String how) {
    ObjectNode body = docExample();
    switch (how) {
      case "empty" -> body.put(field, "");
      case "null" -> body.putNull(field);
      default -> body.remove(field);
    }

    AccountInfo account = AccountInfoParserTest.parse(body.toString());

    assertThat(DECIMALS.get(field).apply(account)).isEmpty();
  }

  @Property
  void unknownExtraFieldsAreTolerated(
      @ForAll("extraFields") Map<String, String> extras, @ForAll boolean asNumbers) {
    ObjectNode body = docExample();
    extras.forEach(
        (name, value) -> {
          if (asNumbers) {
            body.put(name, value.length());
          } else {
            body.putObject(name).put("nested", value);
          }
        });

    AccountInfo account = AccountInfoParserTest.parse(body.toString());

    assertThat(account).isEqualTo(AccountInfoParserTest.parse(AccountInfoParserTest.DOC_EXAMPLE));
  }

  private static boolean signed(String field) {
    return InputPolicy.DECIMALS.stream()
        .anyMatch(f -> f.name().equals(field) && f.sign() == InputPolicy.Sign.ANY);
  }

  @Provide
  Arbitrary<String> decimalFields() {
    return Arbitraries.of(DECIMALS.keySet());
  }

  @Provide
  Arbitrary<String> optionalFields() {
    return Arbitraries.of(OPTIONAL);
  }

  @Provide
  Arbitrary<String> absence() {
    return Arbitraries.of("empty", "null", "absent");
  }

  /**
   * Plain decimals as Binance writes them, within the input policy: optional sign, no leading
   * zeros, up to 30 integer digits and 8 decimal places. Negative zero is left out: BigDecimal has
   * no sign for zero ({@code -0.00} reads as {@code 0.00}).
   */
  @Provide
  Arbitrary<String> decimalStrings() {
    Arbitrary<String> integerPart =
        Arbitraries.oneOf(
            Arbitraries.just("0"),
            Combinators.combine(
                    Arbitraries.chars().range('1', '9'),
                    Arbitraries.strings().numeric().ofMaxLength(InputPolicy.MAX_INTEGER_DIGITS - 1))
                .as((first, rest) -> first + rest));
    Arbitrary<String> fraction =
        Arbitraries.oneOf(
            Arbitraries.just(""),
            Arbitraries.strings()
                .numeric()
                .ofMinLength(1)
                .ofMaxLength(InputPolicy.MAX_SCALE)
                .map(d -> "." + d));
    return Combinators.combine(Arbitraries.of("", "-"), integerPart, fraction)
        .as((sign, integer, frac) -> sign + integer + frac)
        .filter(d -> !d.matches("-0(\\.0+)?"));
  }

  @Provide
  Arbitrary<Map<String, String>> extraFields() {
    Arbitrary<String> names =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .ofMinLength(1)
            .ofMaxLength(12)
            .map(n -> "x" + n)
            .filter(n -> !DECIMALS.containsKey(n));
    return Arbitraries.maps(names, Arbitraries.strings().ofMaxLength(20)).ofMaxSize(8);
  }

  private static ObjectNode docExample() {
    try {
      return (ObjectNode) JSON.readTree(AccountInfoParserTest.DOC_EXAMPLE);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
