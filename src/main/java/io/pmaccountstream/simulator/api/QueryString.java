package io.pmaccountstream.simulator.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The parameters of a raw query string, percent-decoded (form rules: {@code +} is a space, so a
 * base64 signature must be URL-encoded, as Binance asks). Also finds the signed payload: the exact
 * text before {@code &signature=}.
 */
public final class QueryString {

  private static final String SIGNATURE = "signature=";

  private final String raw;
  private final Map<String, String> values = new HashMap<>();
  private boolean duplicates;

  private QueryString(String raw) {
    this.raw = raw;
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (values.putIfAbsent(name, value) != null) {
        duplicates = true;
      }
    }
  }

  public static QueryString parse(String raw) {
    return new QueryString(raw);
  }

  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name)).filter(v -> !v.isEmpty());
  }

  public boolean hasDuplicates() {
    return duplicates;
  }

  /**
   * The signed payload: the raw query before the last {@code &signature=}; empty when the signature
   * is missing, is not the last parameter, or is the only one.
   */
  public Optional<String> signedPayload() {
    int at = raw.lastIndexOf("&" + SIGNATURE);
    if (at < 0 || raw.indexOf('&', at + 1) >= 0) {
      return Optional.empty();
    }
    return Optional.of(raw.substring(0, at));
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text; // malformed escape: keep the raw text; validation rejects it later
    }
  }
}
