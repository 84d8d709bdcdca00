package io.pmaccountstream.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * While the demo runs, every log line goes to one file instead of the console, so that the console
 * shows the demo's table only. Closing it puts the console appenders back.
 */
final class DemoLog implements AutoCloseable {

  /** The text pattern of {@code logback.xml}, with the date (a file outlives the day). */
  private static final String PATTERN =
      "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{20} %replace([%X{accountId}] ){'\\[\\] ', ''}- %msg%n";

  private final Logger root;
  private final List<Appender<ILoggingEvent>> detached;
  private final FileAppender<ILoggingEvent> file;

  private DemoLog(
      Logger root, List<Appender<ILoggingEvent>> detached, FileAppender<ILoggingEvent> file) {
    this.root = root;
    this.detached = detached;
    this.file = file;
  }

  /**
   * Sends the root logger's output to {@code path} (truncated) instead of its appenders.
   *
   * @throws IllegalStateException when logback is not the logging backend
   */
  static DemoLog redirectTo(Path path) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      throw new IllegalStateException(
          "the demo needs logback as the logging backend, found "
              + LoggerFactory.getILoggerFactory().getClass().getName());
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    FileAppender<ILoggingEvent> file = new FileAppender<>();
    file.setContext(context);
    file.setName("demo-file");
    file.setFile(path.toString());
    file.setAppend(false);
    file.setEncoder(encoder);
    file.start();
    if (!file.isStarted()) {
      throw new IllegalStateException("cannot write the demo's log file " + path);
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    List<Appender<ILoggingEvent>> detached = new ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(detached::add);
    root.addAppender(file);
    detached.forEach(root::detachAppender);
    return new DemoLog(root, detached, file);
  }

  @Override
  public void close() {
    detached.forEach(root::addAppender);
    root.detachAppender(file);
    file.stop();
  }
}
