package io.pmaccountstream.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Apache HttpClient's wire and header logs whatever their level: they print the raw request
 * line (the signed query string) and the {@code X-MBX-APIKEY} header. Declared in {@code
 * logback.xml}, so turning on DEBUG for troubleshooting cannot leak credentials.
 */
public final class HttpWireLogGuard extends TurboFilter {

  static final String HTTP_CLIENT = "org.apache.hc.client5";

  /**
   * Asked for every level check of every logger (Kafka Streams asks {@code isTraceEnabled} many
   * times per record), so it first answers the common case with two comparisons: a level the logger
   * has off is off whatever this says, and only a logger that has it on needs its name looked at.
   */
  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == null
        || level.isGreaterOrEqual(Level.INFO)
        || level.toInt() < logger.getEffectiveLevel().toInt()) {
      return FilterReply.NEUTRAL;
    }
    return logger.getName().startsWith(HTTP_CLIENT) ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
