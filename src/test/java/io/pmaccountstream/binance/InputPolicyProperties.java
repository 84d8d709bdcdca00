package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.binance.AccountInfoParser.BadPayloadException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The decimal grammar of the input policy, and that nothing but a bad payload leaves the parser.
 */
class InputPolicyProperties {

  private static final String EQUITY = "\"122607.35137903\"";

  @Property
  void decimalGrammar_anythingButPlainDigitsIsABadPayload(@ForAll("notPlainDecimals") String text) {
    String body = AccountInfoParserTest.DOC_EXAMPLE.replace(EQUITY, "\"" + text + "\"");

    assertThatThrownBy(() -> AccountInfoParserTest.parse(body))
        .isInstanceOf(BadPayloadException.class)
        .hasMessageStartingWith("accountEquity is not a decimal in plain notation");
  }

  @Property
  void decimalScale_moreThanEightPlacesIsABadPayload(
      @ForAll("digits") String integer, @ForAll("nineOrMoreDigits") String fraction) {
    String text = integer + "." + fraction;
    String body = AccountInfoParserTest.DOC_EXAMPLE.replace(EQUITY, "\"" + text + "\"");

    assertThatThrownBy(() -> AccountInfoParserTest.parse(body))
        .isInstanceOf(BadPayloadException.class)
        .hasMessageStartingWith("accountEquity has " + fraction.length() + " decimal places");
  }

  @Property
  void anyBodyIsAnAccountOrABadPayloadNeverAnotherException(@ForAll("mangledBodies") byte[] body) {
    try {
      AccountInfo account =
          new AccountInfoParser(InputPolicy.DEFAULT).parse(body, AccountInfoParserTest.SERVER_NOW);
      assertThat(InputPolicy.fitsSchema(account.accountEquity())).isTrue();
    } catch (BadPayloadException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> digits() {
    return Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(30);
  }

  @Provide
  Arbitrary<String> nineOrMoreDigits() {
    return Arbitraries.strings().numeric().ofMinLength(9).ofMaxLength(40);
  }

  @Provide
  Arbitrary<String> notPlainDecimals() {
    return Arbitraries.strings()
        .withChars("0123456789.-+eE, xNaInfity")
        .ofMinLength(1)
        .ofMaxLength(12)
        .filter(s -> !s.matches("-?\\d+(\\.\\d+)?"));
  }

  /** The doc example with bytes replaced, inserted or cut: truncations, garbage, encodings. */
  @Provide
  Arbitrary<byte[]> mangledBodies() {
    byte[] good = AccountInfoParserTest.DOC_EXAMPLE.getBytes(StandardCharsets.UTF_8);
    return Arbitraries.integers()
        .between(0, good.length - 1)
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .flatMap(
            positions ->
                Arbitraries.bytes()
                    .list()
                    .ofSize(positions.size())
                    .map(
                        values -> {
                          byte[] body = good.clone();
                          for (int i = 0; i < positions.size(); i++) {
                            body[positions.get(i)] = values.get(i);
                          }
                          return body;
                        }));
  }
}
