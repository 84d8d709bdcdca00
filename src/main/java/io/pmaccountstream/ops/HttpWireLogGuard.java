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

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    boolean debug = level != null && !level.isGreaterOrEqual(Level.INFO);
    return debug && logger.getName().startsWith(HTTP_CLIENT)
        ? FilterReply.DENY
        : FilterReply.NEUTRAL;
  }
}
