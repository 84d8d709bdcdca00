package io.pmaccountstream.simulator;

import static io.pmaccountstream.simulator.HostileAnswer.Accounting.COUNTED;
import static io.pmaccountstream.simulator.HostileAnswer.Accounting.DEAD_LETTER;
import static io.pmaccountstream.simulator.HostileAnswer.Accounting.STATE_OR_DEAD_LETTER;

import io.pmaccountstream.simulator.HostileAnswer.Accounting;
import io.pmaccountstream.simulator.HostileAnswer.Context;
import io.pmaccountstream.simulator.http.HttpResponse;
import io.pmaccountstream.simulator.scenario.Seeds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The hostile answers the simulator serves in its hostile fault mode ({@code
 * simulator.fault.hostile.rate}): bad numbers, wrong types, nulls, missing and duplicated keys,
 * nesting, byte order marks and other encodings, bodies that are not an account, redirects, the
 * 4xx/5xx a gateway or a WAF answers, hostile {@code Date}, {@code Retry-After} and used-weight
 * headers, a slow drip and implausible {@code updateTime}s. Everything else the simulator does
 * still follows Binance's rules: an answer from here replaces a request that passed the weight and
 * signature checks.
 *
 * <p>The k-th hostile answer of an account is {@link #pick entry} {@code (offset + k)} of one
 * seeded permutation of the corpus, where {@code offset} spreads accounts evenly: n accounts cover
 * the whole corpus after {@code size / n} hostile answers each.
 */
public final class HostileCorpus {

  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  /** More than the client's default {@code binance.max.body.bytes} (64 KiB), by far. */
  static final int HUGE_BODY_BYTES = 2 * 1024 * 1024;

  /** Deeper than Jackson's default nesting limit (1000). */
  static final int DEEP_NESTING = 5000;

  private static final List<HostileAnswer> ENTRIES = build();
  private static final Map<String, HostileAnswer> BY_NAME = index(ENTRIES);

  private HostileCorpus() {}

  /** Every entry, in the corpus's documented order. */
  public static List<HostileAnswer> entries() {
    return ENTRIES;
  }

  public static Optional<HostileAnswer> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /**
   * The {@code k}-th hostile answer (from 0) of the account at {@code accountIndex} of {@code
   * accountCount}: deterministic for a seed.
   */
  public static HostileAnswer pick(long seed, int accountIndex, int accountCount, long k) {
    List<HostileAnswer> order = new ArrayList<>(ENTRIES);
    Collections.shuffle(order, new Random(Seeds.mix(seed, "hostile-order")));
    long offset = (long) accountIndex * order.size() / Math.max(1, accountCount);
    return order.get((int) Math.floorMod(offset + k, (long) order.size()));
  }

  private static List<HostileAnswer> build() {
    List<HostileAnswer> e = new ArrayList<>();
    // Numbers outside the domain: scale <= 8, <= 30 integer digits, plain decimal strings.
    e.add(field("scale-9-uniMMR", "uniMMR with 9 decimals", "uniMMR", q("1.123456789")));
    e.add(
        field(
            "scale-9-equity",
            "accountEquity with 9 decimals",
            "accountEquity",
            q("1500.123456789")));
    e.add(
        field(
            "digits-34-equity",
            "accountEquity with 34 integer digits (over decimal(38, 8))",
            "accountEquity",
            q("1234567890123456789012345678901234.00000000")));
    e.add(
        field(
            "digits-31-maint-margin",
            "accountMaintMargin with 31 integer digits",
            "accountMaintMargin",
            q("1234567890123456789012345678901.00000000")));
    e.add(field("exponent-string-uniMMR", "uniMMR as \"1e-9\"", "uniMMR", q("1e-9")));
    e.add(field("exponent-number-uniMMR", "uniMMR as the JSON number 1e-9", "uniMMR", "1e-9"));
    e.add(field("json-number-equity", "accountEquity as a JSON number", "accountEquity", "1500.5"));
    e.add(field("plus-sign-uniMMR", "uniMMR as \"+1.5\"", "uniMMR", q("+1.50000000")));
    e.add(field("double-minus-uniMMR", "uniMMR as \"--1.5\"", "uniMMR", q("--1.50000000")));
    e.add(
        field(
            "negative-maint-margin",
            "accountMaintMargin below zero",
            "accountMaintMargin",
            q("-1.50000000")));
    e.add(field("nan-uniMMR", "uniMMR as \"NaN\"", "uniMMR", q("NaN")));
    e.add(
        field("infinity-equity", "accountEquity as \"Infinity\"", "accountEquity", q("Infinity")));
    e.add(
        field(
            "hex-maint-margin", "accountMaintMargin as \"0x1F\"", "accountMaintMargin", q("0x1F")));
    e.add(field("padded-uniMMR", "uniMMR with a leading space", "uniMMR", q(" 1.50000000")));
    e.add(
        field(
            "thousands-separator-equity",
            "accountEquity as \"1,500.00\"",
            "accountEquity",
            q("1,500.00")));
    // Wrong types and nulls where a string or number is expected.
    e.add(
        field(
            "object-for-status",
            "accountStatus as an object",
            "accountStatus",
            "{\"v\":\"NORMAL\"}"));
    e.add(field("array-for-uniMMR", "uniMMR as an array", "uniMMR", "[\"1.5\"]"));
    e.add(field("bool-for-equity", "accountEquity as true", "accountEquity", "true"));
    e.add(field("number-for-status", "accountStatus as the number 1", "accountStatus", "1"));
    e.add(field("null-status", "accountStatus null", "accountStatus", "null"));
    e.add(field("null-equity", "accountEquity null", "accountEquity", "null"));
    e.add(field("null-update-time", "updateTime null", "updateTime", "null"));
    // Missing and duplicated keys.
    e.add(missing("missing-status", "accountStatus"));
    e.add(missing("missing-update-time", "updateTime"));
    e.add(missing("missing-maint-margin", "accountMaintMargin"));
    e.add(
        body(
            "duplicate-uniMMR",
            DEAD_LETTER,
            "uniMMR twice: the state's value, then \"0.50000000\"",
            c -> duplicated(c.state(), "uniMMR", q("0.50000000"))));
    e.add(
        body(
            "duplicate-status",
            DEAD_LETTER,
            "accountStatus twice: the state's, then FORCE_LIQUIDATION",
            c -> duplicated(c.state(), "accountStatus", q("FORCE_LIQUIDATION"))));
    // Nesting.
    e.add(
        field(
            "deep-nesting",
            "totalMarginOpenLoss nested " + DEEP_NESTING + " arrays deep",
            "totalMarginOpenLoss",
            "[".repeat(DEEP_NESTING) + "]".repeat(DEEP_NESTING)));
    e.add(
        body(
            "wrapped-in-data",
            DEAD_LETTER,
            "the account wrapped in {\"data\": ...}",
            c -> "{\"data\":" + good(c) + "}"));
    // Byte order marks and encodings: the exact state, in bytes that are not plain UTF-8 JSON.
    e.add(
        new HostileAnswer(
            "utf8-bom",
            STATE_OR_DEAD_LETTER,
            "the state's JSON after a UTF-8 byte order mark",
            c -> ok(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(good(c))))));
    e.add(
        new HostileAnswer(
            "utf16",
            STATE_OR_DEAD_LETTER,
            "the state's JSON in UTF-16 (with its BOM), declared as charset=UTF-16",
            c ->
                HttpResponse.of(
                    200,
                    "application/json;charset=UTF-16",
                    good(c).getBytes(StandardCharsets.UTF_16))));
    // Bodies that are not an account.
    e.add(raw("empty-body", "a 200 with an empty body", c -> ""));
    e.add(raw("empty-array", "a 200 with []", c -> "[]"));
    e.add(raw("empty-object", "a 200 with {}", c -> "{}"));
    e.add(
        new HostileAnswer(
            "html-200",
            DEAD_LETTER,
            "a 200 text/html gateway error page",
            c -> HttpResponse.of(200, "text/html", AccountJson.html())));
    e.add(
        raw(
            "truncated-json",
            "the JSON cut half-way, in a complete response",
            c -> good(c).substring(0, good(c).length() / 2)));
    e.add(raw("trailing-garbage", "the account followed by garbage", c -> good(c) + "garbage}"));
    e.add(raw("two-objects", "the account twice, back to back", c -> good(c) + good(c)));
    e.add(
        raw(
            "huge-body",
            "the account with a " + HUGE_BODY_BYTES / (1024 * 1024) + " MiB padding field",
            c ->
                AccountJson.object(
                    with(
                        AccountJson.tokens(c.state()),
                        t -> {
                          t.add(Map.entry("padding", q("x".repeat(HUGE_BODY_BYTES))));
                          return t;
                        }))));
    // Statuses a gateway, a WAF or Binance itself answers.
    e.add(redirect("redirect-302", 302));
    e.add(redirect("redirect-301", 301));
    e.add(
        status(
            "unauthorized-401",
            401,
            "{\"code\":-2015,\"msg\":\"Invalid API-key, IP, or permissions for action.\"}"));
    e.add(
        new HostileAnswer(
            "waf-403",
            COUNTED,
            "403: a WAF limit violation (Binance documents 403 so), empty body",
            c -> HttpResponse.of(403, "text/plain", new byte[0])));
    e.add(
        new HostileAnswer(
            "banned-418",
            COUNTED,
            "418 IP banned for 2 s (Retry-After: 2)",
            c ->
                HttpResponse.json(
                        418,
                        "{\"code\":-1003,\"msg\":\"Way too much request weight used; IP banned until "
                            + (c.serverMillis() + 2_000)
                            + ".\"}")
                    .withHeader("Retry-After", "2")));
    e.add(tooMuchWeight("rate-limited-429", "429 with Retry-After: 1", "1"));
    e.add(
        status(
            "internal-500",
            500,
            "{\"code\":-1001,\"msg\":\"Internal error; unable to process your request. Please try"
                + " again.\"}"));
    e.add(
        new HostileAnswer(
            "bad-gateway-502",
            COUNTED,
            "502 with a gateway's HTML page",
            c -> HttpResponse.of(502, "text/html", AccountJson.html())));
    e.add(
        status(
            "unavailable-503",
            503,
            "{\"code\":-1000,\"msg\":\"Unknown error, please check your request or try again"
                + " later.\"}"));
    e.add(
        new HostileAnswer(
            "gateway-timeout-504",
            COUNTED,
            "504 with an empty body",
            c -> HttpResponse.of(504, "text/plain", new byte[0])));
    // Hostile Retry-After.
    e.add(tooMuchWeight("retry-after-huge", "429 with Retry-After: 999999999", "999999999"));
    e.add(tooMuchWeight("retry-after-negative", "429 with Retry-After: -5", "-5"));
    e.add(tooMuchWeight("retry-after-garbage", "429 with Retry-After: soon", "soon"));
    e.add(
        new HostileAnswer(
            "retry-after-http-date",
            COUNTED,
            "503 with Retry-After as an HTTP date 2 s ahead",
            c ->
                HttpResponse.json(503, "{\"code\":-1000,\"msg\":\"Unknown error.\"}")
                    .withHeader(
                        "Retry-After",
                        HTTP_DATE.format(Instant.ofEpochMilli(c.serverMillis() + 2_000)))));
    // Hostile Date: on the state itself, and on an error.
    e.add(dated("date-1960", "the state with Date in 1960", "Fri, 01 Jan 1960 00:00:00 GMT"));
    e.add(
        dated(
            "date-far-future",
            "the state with Date in 2999",
            HTTP_DATE.format(Instant.parse("2999-01-01T00:00:00Z"))));
    e.add(dated("date-garbage", "the state with Date: yesterday-ish", "yesterday-ish"));
    e.add(
        new HostileAnswer(
            "date-1960-on-500",
            COUNTED,
            "500 with Date in 1960",
            c ->
                HttpResponse.json(500, "{\"code\":-1001,\"msg\":\"Internal error.\"}")
                    .withHeader("Date", "Fri, 01 Jan 1960 00:00:00 GMT")));
    // Hostile used weight.
    e.add(weighted("used-weight-garbage", "lots"));
    e.add(weighted("used-weight-negative", "-20"));
    e.add(weighted("used-weight-huge", "999999999"));
    // A body that never completes within a deadline.
    e.add(
        new HostileAnswer(
            "slow-drip",
            COUNTED,
            "the state's 200, its body dribbled over simulator.fault.hostile.drip (default 30 s)",
            c -> ok(utf8(good(c))).dripped(c.drip())));
    // Implausible updateTime.
    e.add(
        field(
            "update-time-year-9999",
            "updateTime 9999-12-31",
            "updateTime",
            Long.toString(Instant.parse("9999-12-31T23:59:59Z").toEpochMilli())));
    e.add(field("update-time-zero", "updateTime 0", "updateTime", "0"));
    e.add(field("update-time-negative", "updateTime -1", "updateTime", "-1"));
    e.add(field("update-time-string", "updateTime as a string", "updateTime", q("1795428000000")));
    e.add(
        field(
            "update-time-fraction", "updateTime with a fraction", "updateTime", "1795428000000.5"));
    return List.copyOf(e);
  }

  private static Map<String, HostileAnswer> index(List<HostileAnswer> entries) {
    Map<String, HostileAnswer> byName = new LinkedHashMap<>();
    for (HostileAnswer entry : entries) {
      if (byName.put(entry.name(), entry) != null) {
        throw new IllegalStateException("duplicate hostile answer " + entry.name());
      }
    }
    return Map.copyOf(byName);
  }

  /** The state's body with one field's raw token replaced. */
  private static HostileAnswer field(String name, String description, String key, String token) {
    return body(
        name,
        DEAD_LETTER,
        description,
        c ->
            AccountJson.object(
                with(
                    AccountJson.tokens(c.state()),
                    t -> {
                      t.replaceAll(f -> f.getKey().equals(key) ? Map.entry(key, token) : f);
                      return t;
                    })));
  }

  private static HostileAnswer missing(String name, String key) {
    return body(
        name,
        DEAD_LETTER,
        key + " missing",
        c ->
            AccountJson.object(
                with(
                    AccountJson.tokens(c.state()),
                    t -> {
                      t.removeIf(f -> f.getKey().equals(key));
                      return t;
                    })));
  }

  private static String duplicated(AccountState state, String key, String later) {
    List<Map.Entry<String, String>> tokens = AccountJson.tokens(state);
    tokens.add(tokens.size() - 1, Map.entry(key, later));
    return AccountJson.object(tokens);
  }

  private static HostileAnswer body(
      String name,
      Accounting accounting,
      String description,
      java.util.function.Function<Context, String> json) {
    return new HostileAnswer(name, accounting, description, c -> ok(utf8(json.apply(c))));
  }

  private static HostileAnswer raw(
      String name, String description, java.util.function.Function<Context, String> text) {
    return body(name, DEAD_LETTER, description, text);
  }

  private static HostileAnswer status(String name, int status, String json) {
    return new HostileAnswer(
        name, COUNTED, status + " with Binance's error body", c -> HttpResponse.json(status, json));
  }

  private static HostileAnswer redirect(String name, int status) {
    return new HostileAnswer(
        name,
        COUNTED,
        status + " with Location: /papi/v1/moved (a signed request must not follow it)",
        c ->
            HttpResponse.of(status, "text/html", utf8("<html><body>Moved</body></html>"))
                .withHeader("Location", "/papi/v1/moved"));
  }

  private static HostileAnswer tooMuchWeight(String name, String description, String retryAfter) {
    return new HostileAnswer(
        name,
        COUNTED,
        description,
        c ->
            HttpResponse.json(
                    429,
                    "{\"code\":-1003,\"msg\":\"Too much request weight used; current limit is 6000"
                        + " request weight per 1 MINUTE. Please use WebSocket Streams for live"
                        + " updates to avoid polling the API.\"}")
                .withHeader("Retry-After", retryAfter));
  }

  private static HostileAnswer dated(String name, String description, String date) {
    return new HostileAnswer(
        name, STATE_OR_DEAD_LETTER, description, c -> ok(utf8(good(c))).withHeader("Date", date));
  }

  private static HostileAnswer weighted(String name, String weight) {
    return new HostileAnswer(
        name,
        STATE_OR_DEAD_LETTER,
        "the state with X-MBX-USED-WEIGHT-1M: " + weight,
        c -> ok(utf8(good(c))).withHeader(SimulatorHandler.USED_WEIGHT_HEADER, weight));
  }

  private static String good(Context c) {
    return AccountJson.object(AccountJson.tokens(c.state()));
  }

  private static HttpResponse ok(byte[] body) {
    return HttpResponse.of(200, "application/json;charset=UTF-8", body);
  }

  private static String q(String text) {
    return AccountJson.quoted(text);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static <T> T with(T value, UnaryOperator<T> change) {
    return change.apply(value);
  }
}
