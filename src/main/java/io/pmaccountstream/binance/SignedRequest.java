package io.pmaccountstream.binance;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A signed {@code GET /papi/v1/account}: {@code recvWindow=<ms>&timestamp=<ms>&signature=<sig>},
 * the signature over everything before it. Its {@link #toString()} shows neither the key nor the
 * signature.
 */
record SignedRequest(URI uri, String apiKey, String signature, String signedPayload) {

  static final String ACCOUNT_PATH = "/papi/v1/account";
  static final String API_KEY_HEADER = "X-MBX-APIKEY";

  /** Signs the account call for {@code account} at {@code timestamp} on the server clock. */
  static SignedRequest forAccount(
      URI baseUrl, AccountCredentials account, Duration recvWindow, Instant timestamp) {
    String payload =
        "recvWindow=" + recvWindow.toMillis() + "&timestamp=" + timestamp.toEpochMilli();
    String signature = account.signer().sign(payload);
    String base = baseUrl.toString().replaceAll("/+$", "");
    URI uri = URI.create(base + ACCOUNT_PATH + "?" + payload + "&signature=" + signature);
    return new SignedRequest(uri, account.apiKey().reveal(), signature, payload);
  }

  /** The query string exactly as sent. */
  String query() {
    return uri.getRawQuery();
  }

  Map<String, String> headers() {
    return Map.of(API_KEY_HEADER, apiKey);
  }

  /** {@code text} with the signature and the API key masked (error pages may echo the request). */
  String redact(String text) {
    String redacted = text;
    String decodedSignature = URLDecoder.decode(signature, StandardCharsets.UTF_8);
    for (String sensitive : new String[] {signature, decodedSignature, apiKey}) {
      if (!sensitive.isEmpty()) {
        redacted = redacted.replace(sensitive, "[hidden]");
      }
    }
    return redacted;
  }

  @Override
  public String toString() {
    return "SignedRequest[GET " + ACCOUNT_PATH + ", " + signedPayload + ", signature hidden]";
  }
}
