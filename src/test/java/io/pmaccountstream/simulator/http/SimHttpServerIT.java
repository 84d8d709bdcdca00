package io.pmaccountstream.simulator.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When the server counts an answer as delivered, over a real socket. */
class SimHttpServerIT {

  private static final byte[] REQUEST =
      "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII);

  @Test
  void aLongBodyIsDeliveredOnceItsHeadIsOutEvenIfTheClientStopsReading() throws Exception {
    CountDownLatch delivered = new CountDownLatch(1);
    byte[] body = new byte[32 * 1024 * 1024];
    try (SimHttpServer server =
        server(
            request ->
                HttpResponse.of(200, "application/json", body).onDelivered(delivered::countDown))) {
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(5_000);
        send(socket);
        byte[] head = socket.getInputStream().readNBytes(12);
        assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
        // A client with a body cap: it stops reading and closes abortively.
        socket.setSoLinger(true, 0);
      }
      assertThat(delivered.await(10, TimeUnit.SECONDS))
          .as("a 32 MiB answer whose head the client read, then closed, is delivered")
          .isTrue();
    }
  }

  @Test
  void aShortAnswerIsDeliveredOnceWrittenWhole() throws Exception {
    CountDownLatch delivered = new CountDownLatch(1);
    try (SimHttpServer server =
        server(request -> HttpResponse.json(200, "{}").onDelivered(delivered::countDown))) {
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(5_000);
        send(socket);
        InputStream in = socket.getInputStream();
        String response = new String(in.readNBytes(200), StandardCharsets.ISO_8859_1);
        assertThat(response).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n{}");
      }
      assertThat(delivered.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static SimHttpServer server(RequestHandler handler) throws Exception {
    SimHttpServer server =
        new SimHttpServer(InetAddress.getLoopbackAddress(), 0, 4, Duration.ofSeconds(5), handler);
    server.start();
    return server;
  }

  private static void send(Socket socket) throws Exception {
    OutputStream out = socket.getOutputStream();
    out.write(REQUEST);
    out.flush();
  }
}
