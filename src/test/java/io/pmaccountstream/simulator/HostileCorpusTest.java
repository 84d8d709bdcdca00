package io.pmaccountstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pmaccountstream.simulator.http.HttpResponse;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each hostile answer is what its name says, and nothing else is off. */
class HostileCorpusTest {

  private static final long NOW = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
  private static final Duration DRIP = Duration.ofSeconds(30);
  private static final AccountState STATE =
      new AccountState(
          "alice",
          new BigDecimal("1.50000000"),
          new BigDecimal("1500.00000000"),
          new BigDecimal("1575.00000000"),
          new BigDecimal("1000.00000000"),
          new BigDecimal("1000.00000000"),
          "NORMAL",
          new BigDecimal("500.00000000"),
          "",
          "",
          1795428000000L,
          3);
  private static final String GOOD = new String(AccountJson.render(STATE), StandardCharsets.UTF_8);

  /** A lenient reader: what a naive client would make of the body. */
  private static final ObjectMapper LENIENT = new ObjectMapper();

  /** What each entry must be; a new entry needs its line here. */
  private static final Map<String, Consumer<HttpResponse>> EXPECTED = expectations();

  static Stream<HostileAnswer> entries() {
    return HostileCorpus.entries().stream();
  }

  @Test
  void holdsAtLeastFortyUniquelyNamedAnswers() {
    List<String> names = HostileCorpus.entries().stream().map(HostileAnswer::name).toList();
    assertThat(names).hasSizeGreaterThanOrEqualTo(40).doesNotHaveDuplicates();
    assertThat(names).allMatch(n -> n.matches("[a-z0-9]+(-[a-zA-Z0-9]+)*"), "kebab-case");
  }

  @Test
  void everyEntryHasItsOwnCheck() {
    assertThat(EXPECTED.keySet())
        .containsExactlyInAnyOrderElementsOf(
            HostileCorpus.entries().stream().map(HostileAnswer::name).toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void producesWhatItsNameSays(HostileAnswer entry) {
    EXPECTED.get(entry.name()).accept(render(entry));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void itsAccountingMatchesWhatItServes(HostileAnswer entry) throws Exception {
    HttpResponse response = render(entry);
    switch (entry.accounting()) {
      case DEAD_LETTER -> {
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.delivery()).isEqualTo(HttpResponse.Delivery.COMPLETE);
        assertThat(text(response)).isNotEqualTo(GOOD);
      }
      case STATE_OR_DEAD_LETTER -> {
        assertThat(response.status()).isEqualTo(200);
        assertThat(LENIENT.readTree(decoded(response))).isEqualTo(LENIENT.readTree(GOOD));
      }
      case COUNTED ->
          assertThat(response.status() != 200 || response.delivery() == HttpResponse.Delivery.DRIP)
              .as("a non-200 status or a body that never completes in time")
              .isTrue();
    }
  }

  @Test
  void picksTheSameAnswersForTheSameSeedAndSpreadsAccountsOverTheCorpus() {
    int size = HostileCorpus.entries().size();
    for (int k = 0; k < 5; k++) {
      assertThat(HostileCorpus.pick(7, 1, 4, k)).isSameAs(HostileCorpus.pick(7, 1, 4, k));
    }
    Set<String> covered = new HashSet<>();
    int accounts = 6;
    for (int account = 0; account < accounts; account++) {
      for (int k = 0; k < (size + accounts - 1) / accounts; k++) {
        covered.add(HostileCorpus.pick(7, account, accounts, k).name());
      }
    }
    assertThat(covered).hasSize(size);
    List<String> seed7 =
        Stream.iterate(0L, k -> k + 1)
            .limit(10)
            .map(k -> HostileCorpus.pick(7, 0, 1, k).name())
            .toList();
    List<String> seed8 =
        Stream.iterate(0L, k -> k + 1)
            .limit(10)
            .map(k -> HostileCorpus.pick(8, 0, 1, k).name())
            .toList();
    assertThat(seed7).isNotEqualTo(seed8);
  }

  private static HttpResponse render(HostileAnswer entry) {
    return entry.render(new HostileAnswer.Context(STATE, NOW, DRIP));
  }

  private static Map<String, Consumer<HttpResponse>> expectations() {
    Map<String, Consumer<HttpResponse>> e = new LinkedHashMap<>();
    e.put("scale-9-uniMMR", field("uniMMR", "\"1.123456789\""));
    e.put("scale-9-equity", field("accountEquity", "\"1500.123456789\""));
    e.put(
        "digits-34-equity",
        r -> {
          String value = fieldsOf(r).get("accountEquity");
          assertThat(value.replace("\"", "").split("\\.")[0]).hasSize(34);
        });
    e.put(
        "digits-31-maint-margin",
        r -> {
          String value = fieldsOf(r).get("accountMaintMargin");
          assertThat(value.replace("\"", "").split("\\.")[0]).hasSize(31);
        });
    e.put("exponent-string-uniMMR", field("uniMMR", "\"1e-9\""));
    e.put("exponent-number-uniMMR", field("uniMMR", "1e-9"));
    e.put("json-number-equity", field("accountEquity", "1500.5"));
    e.put("plus-sign-uniMMR", field("uniMMR", "\"+1.50000000\""));
    e.put("double-minus-uniMMR", field("uniMMR", "\"--1.50000000\""));
    e.put("negative-maint-margin", field("accountMaintMargin", "\"-1.50000000\""));
    e.put("nan-uniMMR", field("uniMMR", "\"NaN\""));
    e.put("infinity-equity", field("accountEquity", "\"Infinity\""));
    e.put("hex-maint-margin", field("accountMaintMargin", "\"0x1F\""));
    e.put("padded-uniMMR", field("uniMMR", "\" 1.50000000\""));
    e.put("thousands-separator-equity", field("accountEquity", "\"1,500.00\""));
    e.put("object-for-status", field("accountStatus", "{\"v\":\"NORMAL\"}"));
    e.put("array-for-uniMMR", field("uniMMR", "[\"1.5\"]"));
    e.put("bool-for-equity", field("accountEquity", "true"));
    e.put("number-for-status", field("accountStatus", "1"));
    e.put("null-status", field("accountStatus", "null"));
    e.put("null-equity", field("accountEquity", "null"));
    e.put("null-update-time", field("updateTime", "null"));
    e.put("missing-status", missing("accountStatus"));
    e.put("missing-update-time", missing("updateTime"));
    e.put("missing-maint-margin", missing("accountMaintMargin"));
    e.put("duplicate-uniMMR", duplicate("uniMMR", "1.50000000", "0.50000000"));
    e.put("duplicate-status", duplicate("accountStatus", "NORMAL", "FORCE_LIQUIDATION"));
    e.put(
        "deep-nesting",
        r -> {
          assertThat(text(r)).contains("\"totalMarginOpenLoss\":" + "[".repeat(1001));
          assertThatThrownBy(() -> JsonMapper.builder().build().readTree(text(r)))
              .as("over Jackson's default nesting limit")
              .hasMessageContaining("nesting");
        });
    e.put("wrapped-in-data", r -> assertThat(text(r)).isEqualTo("{\"data\":" + GOOD + "}"));
    e.put(
        "utf8-bom",
        r -> {
          assertThat(r.body()).startsWith((byte) 0xEF, (byte) 0xBB, (byte) 0xBF);
          assertThat(new String(r.body(), 3, r.body().length - 3, StandardCharsets.UTF_8))
              .isEqualTo(GOOD);
        });
    e.put(
        "utf16",
        r -> {
          assertThat(r.headers()).containsEntry("Content-Type", "application/json;charset=UTF-16");
          assertThat(r.body()).startsWith((byte) 0xFE, (byte) 0xFF);
          assertThat(new String(r.body(), StandardCharsets.UTF_16)).isEqualTo(GOOD);
        });
    e.put("empty-body", r -> assertThat(r.body()).isEmpty());
    e.put("empty-array", r -> assertThat(text(r)).isEqualTo("[]"));
    e.put("empty-object", r -> assertThat(text(r)).isEqualTo("{}"));
    e.put(
        "html-200",
        r -> {
          assertThat(r.headers()).containsEntry("Content-Type", "text/html");
          assertThat(text(r)).contains("<HTML>");
        });
    e.put(
        "truncated-json",
        r -> {
          assertThat(GOOD).startsWith(text(r));
          assertThat(text(r).length()).isEqualTo(GOOD.length() / 2);
        });
    e.put("trailing-garbage", r -> assertThat(text(r)).isEqualTo(GOOD + "garbage}"));
    e.put("two-objects", r -> assertThat(text(r)).isEqualTo(GOOD + GOOD));
    e.put(
        "huge-body",
        r -> {
          assertThat(r.body().length).isGreaterThan(2 * 1024 * 1024);
          assertThat(text(r)).startsWith(GOOD.substring(0, GOOD.length() - 1) + ",\"padding\":");
        });
    e.put("redirect-302", redirect(302));
    e.put("redirect-301", redirect(301));
    e.put("unauthorized-401", error(401, -2015));
    e.put(
        "waf-403",
        r -> {
          assertThat(r.status()).isEqualTo(403);
          assertThat(r.body()).isEmpty();
        });
    e.put(
        "banned-418",
        r -> {
          error(418, -1003).accept(r);
          assertThat(r.headers()).containsEntry("Retry-After", "2");
        });
    e.put("rate-limited-429", retryAfter(429, "1"));
    e.put("internal-500", error(500, -1001));
    e.put(
        "bad-gateway-502",
        r -> {
          assertThat(r.status()).isEqualTo(502);
          assertThat(text(r)).contains("<HTML>");
        });
    e.put("unavailable-503", error(503, -1000));
    e.put(
        "gateway-timeout-504",
        r -> {
          assertThat(r.status()).isEqualTo(504);
          assertThat(r.body()).isEmpty();
        });
    e.put("retry-after-huge", retryAfter(429, "999999999"));
    e.put("retry-after-negative", retryAfter(429, "-5"));
    e.put("retry-after-garbage", retryAfter(429, "soon"));
    e.put(
        "retry-after-http-date",
        r -> {
          assertThat(r.status()).isEqualTo(503);
          ZonedDateTime at =
              ZonedDateTime.parse(
                  r.headers().get("Retry-After"), DateTimeFormatter.RFC_1123_DATE_TIME);
          assertThat(at.toInstant()).isEqualTo(Instant.ofEpochMilli(NOW + 2_000));
        });
    e.put("date-1960", date(200, "Fri, 01 Jan 1960 00:00:00 GMT"));
    e.put(
        "date-far-future",
        r -> {
          assertThat(r.status()).isEqualTo(200);
          assertThat(
                  ZonedDateTime.parse(r.headers().get("Date"), DateTimeFormatter.RFC_1123_DATE_TIME)
                      .getYear())
              .isEqualTo(2999);
        });
    e.put("date-garbage", date(200, "yesterday-ish"));
    e.put("date-1960-on-500", date(500, "Fri, 01 Jan 1960 00:00:00 GMT"));
    e.put("used-weight-garbage", weight("lots"));
    e.put("used-weight-negative", weight("-20"));
    e.put("used-weight-huge", weight("999999999"));
    e.put(
        "slow-drip",
        r -> {
          assertThat(r.delivery()).isEqualTo(HttpResponse.Delivery.DRIP);
          assertThat(r.dripOver()).isEqualTo(DRIP);
          assertThat(text(r)).isEqualTo(GOOD);
        });
    e.put(
        "update-time-year-9999",
        field("updateTime", Long.toString(Instant.parse("9999-12-31T23:59:59Z").toEpochMilli())));
    e.put("update-time-zero", field("updateTime", "0"));
    e.put("update-time-negative", field("updateTime", "-1"));
    e.put("update-time-string", field("updateTime", "\"1795428000000\""));
    e.put("update-time-fraction", field("updateTime", "1795428000000.5"));
    return e;
  }

  /** The body is the good one with exactly one field's raw token changed. */
  private static Consumer<HttpResponse> field(String name, String token) {
    return r -> {
      assertThat(r.status()).isEqualTo(200);
      Map<String, String> expected = fieldsOf(GOOD);
      expected.put(name, token);
      assertThat(fieldsOf(r)).containsExactlyEntriesOf(expected);
    };
  }

  private static Consumer<HttpResponse> missing(String name) {
    return r -> {
      Map<String, String> expected = fieldsOf(GOOD);
      expected.remove(name);
      assertThat(fieldsOf(r)).containsExactlyEntriesOf(expected);
    };
  }

  private static Consumer<HttpResponse> duplicate(String name, String first, String last) {
    return r -> {
      String body = text(r);
      assertThat(body).contains("\"" + name + "\":\"" + first + "\"");
      assertThat(body.indexOf("\"" + name + "\":\"" + last + "\""))
          .isGreaterThan(body.indexOf("\"" + name + "\":\"" + first + "\""));
      ObjectMapper strict =
          JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
      assertThatThrownBy(() -> strict.readTree(body)).hasMessageContaining("Duplicate field");
      try {
        assertThat(LENIENT.readTree(body).get(name).asText())
            .as("a lenient parser keeps the last value")
            .isEqualTo(last);
      } catch (Exception ex) {
        throw new AssertionError(ex);
      }
    };
  }

  private static Consumer<HttpResponse> redirect(int status) {
    return r -> {
      assertThat(r.status()).isEqualTo(status);
      assertThat(r.headers()).containsEntry("Location", "/papi/v1/moved");
    };
  }

  private static Consumer<HttpResponse> error(int status, int code) {
    return r -> {
      assertThat(r.status()).isEqualTo(status);
      try {
        assertThat(LENIENT.readTree(r.body()).get("code").asInt()).isEqualTo(code);
      } catch (Exception ex) {
        throw new AssertionError(ex);
      }
    };
  }

  private static Consumer<HttpResponse> retryAfter(int status, String value) {
    return r -> {
      assertThat(r.status()).isEqualTo(status);
      assertThat(r.headers()).containsEntry("Retry-After", value);
    };
  }

  private static Consumer<HttpResponse> date(int status, String value) {
    return r -> {
      assertThat(r.status()).isEqualTo(status);
      assertThat(r.headers()).containsEntry("Date", value);
    };
  }

  private static Consumer<HttpResponse> weight(String value) {
    return r -> {
      assertThat(r.status()).isEqualTo(200);
      assertThat(text(r)).isEqualTo(GOOD);
      assertThat(r.headers()).containsEntry(SimulatorHandler.USED_WEIGHT_HEADER, value);
    };
  }

  /** Top-level fields as raw tokens, in order (a body's own tokens, not a parser's view). */
  private static Map<String, String> fieldsOf(HttpResponse r) {
    return fieldsOf(text(r));
  }

  private static Map<String, String> fieldsOf(String json) {
    Map<String, String> fields = new LinkedHashMap<>();
    try (JsonParser parser = LENIENT.getFactory().createParser(json)) {
      parser.nextToken();
      com.fasterxml.jackson.core.JsonToken token = parser.nextToken();
      while (token == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        int start = (int) parser.currentTokenLocation().getCharOffset();
        parser.skipChildren();
        token = parser.nextToken();
        int end = (int) parser.currentTokenLocation().getCharOffset();
        String value = json.substring(start, end).strip();
        fields.put(name, value.endsWith(",") ? value.substring(0, value.length() - 1) : value);
      }
    } catch (Exception ex) {
      throw new AssertionError("not a JSON object: " + json, ex);
    }
    return fields;
  }

  private static String text(HttpResponse r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  private static String decoded(HttpResponse r) {
    String type = r.headers().getOrDefault("Content-Type", "");
    if (type.contains("UTF-16")) {
      return new String(r.body(), StandardCharsets.UTF_16);
    }
    String text = text(r);
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }
}
