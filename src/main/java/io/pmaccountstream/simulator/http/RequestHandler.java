package io.pmaccountstream.simulator.http;

/** Turns a request into a response; called on the connection's thread. */
@FunctionalInterface
public interface RequestHandler {

  /**
   * @throws InterruptedException when interrupted while simulating latency; the connection closes
   */
  HttpResponse handle(HttpRequest request) throws InterruptedException;
}
