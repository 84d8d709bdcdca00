package io.pmaccountstream.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event of this JVM (all threads, all loggers, through logback's root logger) so
 * a test can assert on what was logged, above all that a secret never was.
 *
 * <pre>{@code
 * @RegisterExtension final LogCapture logs = LogCapture.eachTest();               // per test
 * @RegisterExtension final LogCapture logs = LogCapture.eachTest(Level.DEBUG);    // and DEBUG too
 *
 * try (LogCapture logs = LogCapture.start(Level.DEBUG)) {                          // or a block
 *   runTheWholeThing(secret);
 *   logs.assertNeverContains(secret, apiKey, signature);
 * }
 * }</pre>
 *
 * With a level, every logger (the root and those with their own level, such as {@code
 * org.apache.kafka} at WARN) is lowered to it while capturing, so DEBUG-only leaks are caught too;
 * the console keeps showing only what it showed before. Levels and appenders are restored on close,
 * even after a failure.
 *
 * <p>{@link #assertNeverContains} searches the formatted message, the raw message and arguments,
 * the MDC, key-value pairs, markers, thread and logger names and the whole throwable chain (class,
 * message, causes, suppressed). Its failure message names where a needle was found but never prints
 * the needle.
 */
public final class LogCapture implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

  private static final String APPENDER_NAME = "log-capture";

  private final Level level;
  private final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
  private LoggerContext context;
  private CapturingAppender appender;
  private final Map<Logger, Level> savedLevels = new HashMap<>();
  private final List<Appender<ILoggingEvent>> quietedAppenders = new ArrayList<>();
  private ConsoleThreshold consoleThreshold;

  private LogCapture(Level level) {
    this.level = level;
  }

  /** A capture started now at the configured levels; close it when done. */
  public static LogCapture start() {
    return start(null);
  }

  /** A capture started now that also records events down to {@code level}. */
  public static LogCapture start(Level level) {
    LogCapture capture = new LogCapture(level);
    capture.attach();
    return capture;
  }

  /** A JUnit 5 extension ({@code @RegisterExtension}) capturing during each test. */
  public static LogCapture eachTest() {
    return new LogCapture(null);
  }

  /** A JUnit 5 extension capturing during each test, down to {@code level}. */
  public static LogCapture eachTest(Level level) {
    return new LogCapture(level);
  }

  @Override
  public void beforeEach(ExtensionContext extension) {
    attach();
  }

  @Override
  public void afterEach(ExtensionContext extension) {
    close();
  }

  private synchronized void attach() {
    if (appender != null) {
      throw new IllegalStateException("this capture is already started");
    }
    events.clear();
    context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    if (level != null) {
      lowerLevels(root);
    }
    appender = new CapturingAppender(events);
    appender.setName(APPENDER_NAME);
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
  }

  private void lowerLevels(Logger root) {
    Map<String, Level> configured = new HashMap<>();
    for (Logger logger : context.getLoggerList()) {
      if (logger.getLevel() != null) {
        configured.put(logger.getName(), logger.getLevel());
      }
    }
    consoleThreshold = new ConsoleThreshold(configured);
    consoleThreshold.setContext(context);
    consoleThreshold.start();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      Appender<ILoggingEvent> existing = it.next();
      existing.addFilter(consoleThreshold);
      quietedAppenders.add(existing);
    }
    for (Logger logger : context.getLoggerList()) {
      Level current = logger.getLevel();
      if (current != null && current.isGreaterOrEqual(level) && !current.equals(level)) {
        savedLevels.put(logger, current);
        logger.setLevel(level);
      }
    }
  }

  /** Detaches the capture and restores levels and appenders; the captured events stay readable. */
  @Override
  public synchronized void close() {
    if (appender == null) {
      return;
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAppender(appender);
    appender.stop();
    appender = null;
    savedLevels.forEach(Logger::setLevel);
    savedLevels.clear();
    for (Appender<ILoggingEvent> quieted : quietedAppenders) {
      List<Filter<ILoggingEvent>> keep = new ArrayList<>(quieted.getCopyOfAttachedFiltersList());
      keep.remove(consoleThreshold);
      quieted.clearAllFilters();
      keep.forEach(quieted::addFilter);
    }
    quietedAppenders.clear();
    consoleThreshold = null;
  }

  /** The captured events, in order of arrival. */
  public List<ILoggingEvent> events() {
    return List.copyOf(events);
  }

  /** The formatted messages, in order of arrival. */
  public List<String> messages() {
    return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** Whether any searchable part of any event contains the text. */
  public boolean contains(String text) {
    requireNeedle(text);
    return events.stream().anyMatch(e -> findIn(e, text) != null);
  }

  /**
   * Fails if any searchable part of any captured event contains any of the needles (secrets, API
   * keys, signatures). The failure names the needle by position and the event by logger, level and
   * field, with the needle masked in the excerpt.
   */
  public void assertNeverContains(String... needles) {
    List<String> found = new ArrayList<>();
    for (int i = 0; i < needles.length; i++) {
      requireNeedle(needles[i]);
      for (ILoggingEvent event : events) {
        String where = findIn(event, needles[i]);
        if (where != null) {
          found.add(
              "needle #"
                  + (i + 1)
                  + " ("
                  + needles[i].length()
                  + " chars) in "
                  + where
                  + " of "
                  + event.getLevel()
                  + " "
                  + event.getLoggerName()
                  + ": "
                  + mask(event.getFormattedMessage(), needles));
        }
      }
    }
    if (!found.isEmpty()) {
      throw new AssertionError(
          "Logs contain text that must never be logged ("
              + found.size()
              + " hit(s) in "
              + events.size()
              + " events):\n  "
              + String.join("\n  ", found));
    }
  }

  private static void requireNeedle(String needle) {
    Objects.requireNonNull(needle, "needle");
    if (needle.isBlank()) {
      throw new IllegalArgumentException("a blank needle matches everything");
    }
  }

  /** The field of the event that contains the needle, or null. */
  private static String findIn(ILoggingEvent event, String needle) {
    if (has(event.getFormattedMessage(), needle)) {
      return "the message";
    }
    if (has(event.getMessage(), needle)) {
      return "the message pattern";
    }
    Object[] arguments = event.getArgumentArray();
    if (arguments != null) {
      for (Object argument : arguments) {
        if (has(String.valueOf(argument), needle)) {
          return "an argument";
        }
      }
    }
    for (Map.Entry<String, String> entry : event.getMDCPropertyMap().entrySet()) {
      if (has(entry.getKey(), needle) || has(entry.getValue(), needle)) {
        return "the MDC entry " + entry.getKey();
      }
    }
    if (event.getKeyValuePairs() != null
        && event.getKeyValuePairs().stream().anyMatch(kv -> has(String.valueOf(kv), needle))) {
      return "a key-value pair";
    }
    if (event.getMarkerList() != null
        && event.getMarkerList().stream().anyMatch(m -> has(m.toString(), needle))) {
      return "a marker";
    }
    if (has(event.getThreadName(), needle) || has(event.getLoggerName(), needle)) {
      return "the thread or logger name";
    }
    IThrowableProxy throwable = event.getThrowableProxy();
    if (throwable != null && has(ThrowableProxyUtil.asString(throwable), needle)) {
      return "the throwable";
    }
    return null;
  }

  private static boolean has(String haystack, String needle) {
    return haystack != null && haystack.contains(needle);
  }

  private static String mask(String text, String[] needles) {
    String masked = text == null ? "" : text;
    for (String needle : needles) {
      masked = masked.replace(needle, "*****");
    }
    return masked;
  }

  /** Stores events after freezing their thread-local parts (MDC, thread name, message). */
  private static final class CapturingAppender extends AppenderBase<ILoggingEvent> {
    private final Queue<ILoggingEvent> sink;

    CapturingAppender(Queue<ILoggingEvent> sink) {
      this.sink = sink;
    }

    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      sink.add(event);
    }
  }

  /**
   * Keeps the other appenders at the levels configured before the capture lowered them: an event
   * passes only if its logger's configured effective level allows it.
   */
  private static final class ConsoleThreshold extends Filter<ILoggingEvent> {
    private final Map<String, Level> configured;

    ConsoleThreshold(Map<String, Level> configured) {
      this.configured = Map.copyOf(configured);
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
      return event.getLevel().isGreaterOrEqual(configuredLevel(event.getLoggerName()))
          ? FilterReply.NEUTRAL
          : FilterReply.DENY;
    }

    private Level configuredLevel(String loggerName) {
      String name = loggerName;
      while (true) {
        Level level = configured.get(name);
        if (level != null) {
          return level;
        }
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
          return configured.getOrDefault(Logger.ROOT_LOGGER_NAME, Level.DEBUG);
        }
        name = name.substring(0, dot);
      }
    }
  }
}
