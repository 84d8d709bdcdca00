package io.pmaccountstream.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A JVM shutdown hook for the length of a try block: SIGTERM or Ctrl-C runs it, leaving the block
 * removes it (unless the JVM is already shutting down, when it is running).
 */
final class ShutdownHook implements AutoCloseable {

  private final Thread thread;

  private ShutdownHook(Thread thread) {
    this.thread = thread;
  }

  static ShutdownHook install(String name, Runnable onShutdown) {
    Thread thread = new Thread(onShutdown, name);
    Runtime.getRuntime().addShutdownHook(thread);
    return new ShutdownHook(thread);
  }

  /**
   * For a hook: waits up to {@code grace} for the main thread to finish closing ({@code closed}),
   * as the JVM halts once every hook has returned.
   */
  static void awaitClosed(CountDownLatch closed, Duration grace) {
    try {
      closed.await(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(thread);
    } catch (IllegalStateException e) {
      // the JVM is shutting down and the hook is running
    }
  }
}
