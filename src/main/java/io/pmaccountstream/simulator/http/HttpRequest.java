package io.pmaccountstream.simulator.http;

import java.util.Map;
import java.util.Optional;

/**
 * A parsed HTTP/1.x request head (the simulator serves GETs; a request body is read and dropped).
 *
 * @param path the request target before {@code ?}, undecoded
 * @param rawQuery the query exactly as sent (undecoded; empty when there is none): signatures are
 *     verified over these bytes
 * @param headers header names in lower case; the first value of a repeated header
 * @param clientAddress the peer's IP address, as text (weight is counted per IP)
 */
public record HttpRequest(
    String method,
    String path,
    String rawQuery,
    String version,
    Map<String, String> headers,
    String clientAddress) {

  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(java.util.Locale.ROOT)));
  }

  /** HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 only when asked to keep it. */
  public boolean keepAlive() {
    String connection = header("connection").orElse("").toLowerCase(java.util.Locale.ROOT);
    if (version.equals("HTTP/1.0")) {
      return connection.contains("keep-alive");
    }
    return !connection.contains("close");
  }
}
