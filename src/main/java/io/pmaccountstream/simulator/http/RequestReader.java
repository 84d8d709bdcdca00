package io.pmaccountstream.simulator.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Reads HTTP/1.x request heads from a connection, with limits on line length and header count. */
final class RequestReader {

  static final int MAX_LINE = 16 * 1024;
  static final int MAX_HEADERS = 100;
  static final long MAX_BODY = 1024 * 1024;

  /** The request is not valid HTTP/1.x; the connection answers 400 and closes. */
  static final class MalformedRequestException extends IOException {
    MalformedRequestException(String message) {
      super(message);
    }
  }

  private final InputStream in;
  private final String clientAddress;

  RequestReader(InputStream in, String clientAddress) {
    this.in = in;
    this.clientAddress = clientAddress;
  }

  /** The next request, or null when the client closed the connection between requests. */
  HttpRequest next() throws IOException {
    String requestLine = readLine(true);
    while (requestLine != null && requestLine.isEmpty()) {
      requestLine = readLine(true); // tolerate blank lines between requests (RFC 9112 2.2)
    }
    if (requestLine == null) {
      return null;
    }
    String[] parts = requestLine.split(" ");
    if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
      throw new MalformedRequestException("bad request line");
    }
    Map<String, String> headers = readHeaders();
    skipBody(headers);
    String target = parts[1];
    if (target.startsWith("http://") || target.startsWith("https://")) {
      int pathStart = target.indexOf('/', target.indexOf("//") + 2);
      target = pathStart < 0 ? "/" : target.substring(pathStart);
    }
    int question = target.indexOf('?');
    String path = question < 0 ? target : target.substring(0, question);
    String query = question < 0 ? "" : target.substring(question + 1);
    return new HttpRequest(parts[0], path, query, parts[2], headers, clientAddress);
  }

  private Map<String, String> readHeaders() throws IOException {
    Map<String, String> headers = new HashMap<>();
    for (int count = 0; ; count++) {
      String line = readLine(false);
      if (line.isEmpty()) {
        return headers;
      }
      if (count >= MAX_HEADERS) {
        throw new MalformedRequestException("too many headers");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new MalformedRequestException("bad header line");
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      headers.putIfAbsent(name, line.substring(colon + 1).trim());
    }
  }

  private void skipBody(Map<String, String> headers) throws IOException {
    if (headers.containsKey("transfer-encoding")) {
      throw new MalformedRequestException(
          "request bodies with transfer-encoding are not supported");
    }
    String length = headers.get("content-length");
    if (length == null) {
      return;
    }
    long remaining;
    try {
      remaining = Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      throw new MalformedRequestException("bad content-length");
    }
    if (remaining < 0 || remaining > MAX_BODY) {
      throw new MalformedRequestException("bad content-length");
    }
    while (remaining > 0) {
      long skipped = in.skip(remaining);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new MalformedRequestException("body shorter than content-length");
        }
        skipped = 1;
      }
      remaining -= skipped;
    }
  }

  /** A line without its CRLF (or bare LF); null on end of stream before any byte if allowed. */
  private String readLine(boolean eofAllowed) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (eofAllowed && line.size() == 0) {
          return null;
        }
        throw new MalformedRequestException("connection closed inside a request head");
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int length =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
      }
      if (line.size() >= MAX_LINE) {
        throw new MalformedRequestException("line too long");
      }
      line.write(b);
    }
  }
}
