package io.pmaccountstream.simulator.api;

import io.pmaccountstream.simulator.http.HttpRequest;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Applies Binance's rules for a SIGNED (USER_DATA) request, in this order: API key (header {@code
 * X-MBX-APIKEY}: missing or malformed {@code -2014}, unknown {@code -2015}); parameters ({@code
 * -1101} duplicates, {@code -1102} missing timestamp or signature, {@code -1100} non-numeric
 * timestamp or recvWindow, {@code -1131} recvWindow outside 1..60000); signature over the exact
 * query before {@code &signature=} ({@code -1022}); timestamp against the server clock ({@code
 * -1021}: accepted when {@code timestamp < serverTime + 1000} and {@code serverTime - timestamp <=
 * recvWindow}, as Binance's documentation writes it).
 */
public final class Authenticator {

  public static final String API_KEY_HEADER = "X-MBX-APIKEY";
  public static final long DEFAULT_RECV_WINDOW = 5_000;
  public static final long MAX_RECV_WINDOW = 60_000;
  public static final long MAX_AHEAD_MILLIS = 1_000;

  private static final Pattern KEY_FORMAT = Pattern.compile("[A-Za-z0-9]{1,128}");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,20}");

  /** What an API key authenticates as. */
  public record Key(String accountId, SignatureVerifier verifier) {}

  /** The outcome: the account, or the error to answer. */
  public sealed interface Result permits Accepted, Rejected {}

  public record Accepted(String accountId) implements Result {}

  public record Rejected(BinanceError error) implements Result {}

  private final Map<String, Key> keys;

  public Authenticator(Map<String, Key> keysByApiKey) {
    this.keys = Map.copyOf(keysByApiKey);
  }

  /**
   * A USER_STREAM request ({@code /papi/v1/listenKey}): the API key alone, no signature or
   * timestamp, as Binance documents these endpoints.
   */
  public Result authenticateApiKey(HttpRequest request) {
    Optional<String> apiKey = request.header(API_KEY_HEADER).map(String::trim);
    if (apiKey.isEmpty() || !KEY_FORMAT.matcher(apiKey.get()).matches()) {
      return new Rejected(BinanceError.apiKeyFormatInvalid());
    }
    Key key = keys.get(apiKey.get());
    if (key == null) {
      return new Rejected(BinanceError.apiKeyRejected());
    }
    return new Accepted(key.accountId());
  }

  public Result authenticate(HttpRequest request, long serverMillis) {
    if (authenticateApiKey(request) instanceof Rejected rejected) {
      return rejected;
    }
    Key key = keys.get(request.header(API_KEY_HEADER).orElseThrow().trim());
    QueryString query = QueryString.parse(request.rawQuery());
    if (query.hasDuplicates()) {
      return new Rejected(BinanceError.duplicateParameter());
    }
    Optional<String> timestamp = query.get("timestamp");
    if (timestamp.isEmpty()) {
      return new Rejected(BinanceError.mandatoryParameter("timestamp"));
    }
    if (!DIGITS.matcher(timestamp.get()).matches()) {
      return new Rejected(BinanceError.illegalCharacters("timestamp", "^[0-9]{1,20}$"));
    }
    Optional<String> recvWindowText = query.get("recvWindow");
    if (recvWindowText.isPresent() && !DIGITS.matcher(recvWindowText.get()).matches()) {
      return new Rejected(BinanceError.illegalCharacters("recvWindow", "^[0-9]{1,20}$"));
    }
    long recvWindow = recvWindowText.map(Long::parseLong).orElse(DEFAULT_RECV_WINDOW);
    if (recvWindow < 1 || recvWindow > MAX_RECV_WINDOW) {
      return new Rejected(BinanceError.recvWindowTooLarge());
    }
    Optional<String> signature = query.get("signature");
    if (signature.isEmpty()) {
      return new Rejected(BinanceError.mandatoryParameter("signature"));
    }
    Optional<String> payload = query.signedPayload();
    if (payload.isEmpty() || !key.verifier().verify(payload.get(), signature.get())) {
      return new Rejected(BinanceError.invalidSignature());
    }
    long sent = Long.parseLong(timestamp.get());
    if (sent >= serverMillis + MAX_AHEAD_MILLIS) {
      return new Rejected(BinanceError.timestampAhead());
    }
    if (serverMillis - sent > recvWindow) {
      return new Rejected(BinanceError.timestampOutsideRecvWindow());
    }
    return new Accepted(key.accountId());
  }
}
