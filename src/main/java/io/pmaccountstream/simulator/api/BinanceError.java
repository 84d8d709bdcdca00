package io.pmaccountstream.simulator.api;

/**
 * An error answer in Binance's shape, {@code {"code":-1021,"msg":"..."}}, with its HTTP status.
 * Codes and messages are Binance's documented ones.
 */
public record BinanceError(int httpStatus, int code, String msg) {

  public static BinanceError apiKeyFormatInvalid() {
    return new BinanceError(400, -2014, "API-key format invalid.");
  }

  public static BinanceError apiKeyRejected() {
    return new BinanceError(401, -2015, "Invalid API-key, IP, or permissions for action.");
  }

  public static BinanceError mandatoryParameter(String name) {
    return new BinanceError(
        400,
        -1102,
        "Mandatory parameter '" + name + "' was not sent, was empty/null, or malformed.");
  }

  public static BinanceError illegalCharacters(String name, String legalRange) {
    return new BinanceError(
        400,
        -1100,
        "Illegal characters found in parameter '"
            + name
            + "'; legal range is '"
            + legalRange
            + "'.");
  }

  public static BinanceError duplicateParameter() {
    return new BinanceError(400, -1101, "Duplicate values for a parameter detected.");
  }

  public static BinanceError recvWindowTooLarge() {
    return new BinanceError(400, -1131, "recvWindow must be less than 60000");
  }

  public static BinanceError invalidSignature() {
    return new BinanceError(400, -1022, "Signature for this request is not valid.");
  }

  public static BinanceError timestampOutsideRecvWindow() {
    return new BinanceError(400, -1021, "Timestamp for this request is outside of the recvWindow.");
  }

  public static BinanceError timestampAhead() {
    return new BinanceError(
        400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  }

  public static BinanceError tooMuchWeight(int limit) {
    return new BinanceError(
        429,
        -1003,
        "Too much request weight used; current limit is "
            + limit
            + " request weight per 1 MINUTE. Please use WebSocket Streams for live updates to"
            + " avoid polling the API.");
  }

  public static BinanceError banned(String ip, long untilMillis) {
    return new BinanceError(
        418,
        -1003,
        "Way too many requests; IP("
            + ip
            + ") banned until "
            + untilMillis
            + ". Please use WebSocket Streams for live updates to avoid bans.");
  }

  /** 503: execution status unknown. */
  public static BinanceError unknownError() {
    return new BinanceError(
        503, -1000, "Unknown error, please check your request or try again later.");
  }

  public static BinanceError internalError() {
    return new BinanceError(
        500, -1001, "Internal error; unable to process your request. Please try again.");
  }

  /** A keep-alive or close of a listen key that expired or never existed. */
  public static BinanceError listenKeyNotFound() {
    return new BinanceError(400, -1125, "This listenKey does not exist.");
  }

  /** Not a Binance code: the simulator serves only a few paths. */
  public static BinanceError notFound(String method, String path) {
    return new BinanceError(
        404, -1000, "The simulator does not serve " + method + " " + path + ".");
  }

  public String json() {
    return "{\"code\":" + code + ",\"msg\":\"" + escape(msg) + "\"}";
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
