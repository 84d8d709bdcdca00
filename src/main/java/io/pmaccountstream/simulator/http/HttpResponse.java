package io.pmaccountstream.simulator.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response to write, and how: completely, cut short, or not at all (the connection reset).
 *
 * @param headers written in order; the server adds {@code Content-Length} and, when it closes,
 *     {@code Connection: close}
 * @param onDelivered runs after a complete response has been flushed to the socket (for a body
 *     longer than the server's write buffer: once its head has been, whether or not the client then
 *     reads the whole body)
 * @param dripOver {@link Delivery#DRIP} only: how long the body takes to reach the client
 */
public record HttpResponse(
    int status,
    Map<String, String> headers,
    byte[] body,
    Delivery delivery,
    Runnable onDelivered,
    Duration dripOver) {

  /** How the response reaches the client. */
  public enum Delivery {
    /** Head and whole body; the connection stays open if both sides want it. */
    COMPLETE,
    /**
     * The head promises the whole body ({@code Content-Length}) but only the first half is sent,
     * then the connection is closed.
     */
    TRUNCATED,
    /** Nothing is sent; the connection is closed abortively (TCP RST). */
    RESET,
    /**
     * The head, then the body dribbled a few bytes at a time, evenly over {@code dripOver} (each
     * gap well under a read timeout, the whole far over a response deadline).
     */
    DRIP
  }

  public HttpResponse {
    headers = new LinkedHashMap<>(headers);
  }

  public HttpResponse(
      int status,
      Map<String, String> headers,
      byte[] body,
      Delivery delivery,
      Runnable onDelivered) {
    this(status, headers, body, delivery, onDelivered, Duration.ZERO);
  }

  public static HttpResponse of(int status, String contentType, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", contentType);
    return new HttpResponse(status, headers, body, Delivery.COMPLETE, () -> {});
  }

  public static HttpResponse json(int status, String body) {
    return of(status, "application/json;charset=UTF-8", body.getBytes(StandardCharsets.UTF_8));
  }

  public static HttpResponse reset() {
    return new HttpResponse(0, Map.of(), new byte[0], Delivery.RESET, () -> {});
  }

  public HttpResponse withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(name, value);
    return new HttpResponse(status, copy, body, delivery, onDelivered, dripOver);
  }

  public HttpResponse withDelivery(Delivery value) {
    return new HttpResponse(status, headers, body, value, onDelivered, dripOver);
  }

  /** The body dribbled over {@code duration} (see {@link Delivery#DRIP}). */
  public HttpResponse dripped(Duration duration) {
    return new HttpResponse(status, headers, body, Delivery.DRIP, onDelivered, duration);
  }

  public HttpResponse onDelivered(Runnable value) {
    return new HttpResponse(status, headers, body, delivery, value, dripOver);
  }
}
