package io.pmaccountstream.simulator.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small blocking HTTP/1.1 server on plain sockets: one thread per open connection, at most {@code
 * maxConnections} of them (further clients wait in the accept backlog). Plain sockets are what let
 * the simulator fail the way networks do: an abortive close (TCP RST) and a body cut short of its
 * {@code Content-Length}. Keep-alive connections idle for longer than {@code idleTimeout} are
 * closed.
 */
public final class SimHttpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SimHttpServer.class);
  private static final int BACKLOG = 1024;
  private static final long DRIP_GAP_MILLIS = 500;
  private static final int WRITE_BUFFER_BYTES = 16 * 1024;

  private final InetAddress bindAddress;
  private final int requestedPort;
  private final int maxConnections;
  private final int idleTimeoutMillis;
  private final RequestHandler handler;
  private final Semaphore connectionSlots;
  private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger threadCount = new AtomicInteger();
  private final ExecutorService workers;
  private ServerSocket serverSocket;
  private Thread acceptor;
  private volatile boolean closed;

  public SimHttpServer(
      InetAddress bindAddress,
      int port,
      int maxConnections,
      Duration idleTimeout,
      RequestHandler handler) {
    this.bindAddress = bindAddress;
    this.requestedPort = port;
    this.maxConnections = maxConnections;
    this.idleTimeoutMillis = Math.toIntExact(idleTimeout.toMillis());
    this.handler = handler;
    this.connectionSlots = new Semaphore(maxConnections);
    this.workers =
        new ThreadPoolExecutor(
            0,
            maxConnections,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> daemon(r, "pm-sim-conn-" + threadCount.incrementAndGet()));
  }

  /** Binds and starts accepting; port 0 picks a free port. */
  public synchronized void start() throws IOException {
    if (serverSocket != null) {
      throw new IllegalStateException("already started");
    }
    serverSocket = new ServerSocket();
    serverSocket.setReuseAddress(true);
    serverSocket.bind(new InetSocketAddress(bindAddress, requestedPort), BACKLOG);
    acceptor = daemon(this::acceptLoop, "pm-sim-acceptor");
    acceptor.start();
  }

  public int port() {
    return serverSocket.getLocalPort();
  }

  public int openConnections() {
    return openSockets.size();
  }

  public int maxConnections() {
    return maxConnections;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (serverSocket != null) {
      closeQuietly(serverSocket);
    }
    if (acceptor != null) {
      acceptor.interrupt();
    }
    openSockets.forEach(SimHttpServer::closeQuietly);
    workers.shutdownNow();
    try {
      if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("simulator connections did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        connectionSlots.acquire();
      } catch (InterruptedException e) {
        return;
      }
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        connectionSlots.release();
        if (!closed) {
          log.warn("accept failed: {}", e.toString());
        }
        continue;
      }
      openSockets.add(socket);
      workers.execute(() -> serveConnection(socket));
    }
  }

  private void serveConnection(Socket socket) {
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(idleTimeoutMillis);
      String client = socket.getInetAddress().getHostAddress();
      RequestReader reader =
          new RequestReader(new BufferedInputStream(socket.getInputStream(), 8192), client);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), WRITE_BUFFER_BYTES);
      while (!closed) {
        HttpRequest request;
        try {
          request = reader.next();
        } catch (RequestReader.MalformedRequestException e) {
          write(
              out,
              HttpResponse.json(400, "{\"code\":-1000,\"msg\":\"" + e.getMessage() + "\"}"),
              false);
          return;
        }
        if (request == null || !respond(socket, out, request)) {
          return;
        }
      }
    } catch (SocketTimeoutException e) {
      // idle keep-alive connection: close it
    } catch (SocketException e) {
      // client went away
    } catch (IOException e) {
      log.debug("connection failed: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      openSockets.remove(socket);
      closeQuietly(socket);
      connectionSlots.release();
    }
  }

  /** Writes the response; returns whether the connection stays open for another request. */
  private boolean respond(Socket socket, OutputStream out, HttpRequest request)
      throws IOException, InterruptedException {
    HttpResponse response = handler.handle(request);
    switch (response.delivery()) {
      case RESET -> {
        socket.setSoLinger(true, 0);
        return false;
      }
      case TRUNCATED -> {
        byte[] body = response.body();
        writeHead(out, response, body.length, false);
        out.write(body, 0, body.length / 2);
        out.flush();
        socket.shutdownOutput();
        return false;
      }
      case DRIP -> {
        byte[] body = response.body();
        writeHead(out, response, body.length, false);
        out.flush();
        drip(out, body, response.dripOver());
        response.onDelivered().run();
        socket.shutdownOutput();
        return false;
      }
      default -> {
        boolean keepAlive = request.keepAlive() && !closed;
        writeComplete(out, response, keepAlive);
        if (!keepAlive) {
          socket.shutdownOutput();
        }
        return keepAlive;
      }
    }
  }

  /**
   * Writes {@code body} in pieces, one every {@link #DRIP_GAP_MILLIS}, spread over {@code over}.
   */
  private static void drip(OutputStream out, byte[] body, Duration over)
      throws IOException, InterruptedException {
    int pieces = (int) Math.max(1, Math.min(body.length, over.toMillis() / DRIP_GAP_MILLIS));
    int written = 0;
    for (int i = 1; i <= pieces; i++) {
      int end = (int) ((long) body.length * i / pieces);
      if (i > 1) {
        Thread.sleep(DRIP_GAP_MILLIS);
      }
      out.write(body, written, end - written);
      out.flush();
      written = end;
    }
  }

  private static void write(OutputStream out, HttpResponse response, boolean keepAlive)
      throws IOException {
    writeHead(out, response, response.body().length, keepAlive);
    out.write(response.body());
    out.flush();
  }

  /**
   * Writes a complete response and runs its {@code onDelivered}. A body longer than the write
   * buffer goes out after its head has been flushed on its own: a client that reads the head and
   * then stops reading (a client's body-size cap closes the connection mid-body) has had the
   * answer, and it is delivered even though the rest of the write then fails.
   */
  private static void writeComplete(OutputStream out, HttpResponse response, boolean keepAlive)
      throws IOException {
    byte[] body = response.body();
    if (body.length < WRITE_BUFFER_BYTES) {
      write(out, response, keepAlive);
      response.onDelivered().run();
      return;
    }
    writeHead(out, response, body.length, keepAlive);
    out.flush();
    try {
      out.write(body);
      out.flush();
    } finally {
      response.onDelivered().run();
    }
  }

  private static void writeHead(
      OutputStream out, HttpResponse response, int contentLength, boolean keepAlive)
      throws IOException {
    StringBuilder head = new StringBuilder(256);
    head.append("HTTP/1.1 ")
        .append(response.status())
        .append(' ')
        .append(ReasonPhrases.of(response.status()))
        .append("\r\n");
    for (Map.Entry<String, String> header : response.headers().entrySet()) {
      head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
    }
    head.append("Content-Length: ").append(contentLength).append("\r\n");
    if (!keepAlive) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      log.trace("close failed", e);
    }
  }
}
