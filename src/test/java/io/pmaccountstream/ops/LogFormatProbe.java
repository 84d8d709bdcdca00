package io.pmaccountstream.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Logs two known events with the production logback.xml; run in a child JVM by LogFormatTest. */
public final class LogFormatProbe {

  static final String ACCOUNT_ID = "acct-7";
  static final String MESSAGE = "polled account in 42 ms";
  static final String FAILURE = "request failed";

  private LogFormatProbe() {}

  public static void main(String[] args) {
    Logger log = LoggerFactory.getLogger("io.pmaccountstream.poller.Probe");
    MDC.put("accountId", ACCOUNT_ID);
    log.info("polled account in {} ms", 42);
    log.warn(FAILURE, new IllegalStateException("HTTP 503"));
    MDC.clear();
  }
}
