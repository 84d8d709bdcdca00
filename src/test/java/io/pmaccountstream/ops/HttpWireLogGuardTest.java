package io.pmaccountstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpWireLogGuardTest {

  @Test
  void theShippedLogbackConfigurationDeclaresTheGuard() throws IOException {
    try (InputStream in = HttpWireLogGuard.class.getResourceAsStream("/logback.xml")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .contains("<turboFilter class=\"" + HttpWireLogGuard.class.getName() + "\"/>");
    }
  }

  private final LoggerContext context = new LoggerContext();
  private final HttpWireLogGuard guard = new HttpWireLogGuard();

  @Test
  void deniesHttpClientDebugAndTraceEvenWhenItsLoggerHasThemOn() {
    Logger wire = context.getLogger("org.apache.hc.client5.http.wire");
    wire.setLevel(Level.TRACE);

    assertThat(decide(wire, Level.DEBUG)).isEqualTo(FilterReply.DENY);
    assertThat(decide(wire, Level.TRACE)).isEqualTo(FilterReply.DENY);
    assertThat(decide(wire, Level.INFO)).isEqualTo(FilterReply.NEUTRAL);
  }

  @Test
  void leavesEveryOtherLoggerAndEveryLevelALoggerHasOffToTheLoggersOwnLevel() {
    Logger streams = context.getLogger("org.apache.kafka.streams.processor.internals.StreamTask");
    streams.setLevel(Level.WARN);
    Logger ours = context.getLogger("io.pmaccountstream.poller");
    ours.setLevel(Level.DEBUG);
    Logger quietWire = context.getLogger("org.apache.hc.client5.http.headers");
    quietWire.setLevel(Level.INFO);

    assertThat(decide(streams, Level.TRACE)).isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide(ours, Level.DEBUG)).isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide(quietWire, Level.DEBUG)).isEqualTo(FilterReply.NEUTRAL);
    assertThat(quietWire.isDebugEnabled()).isFalse();
  }

  private FilterReply decide(Logger logger, Level level) {
    return guard.decide(null, logger, level, "message", null, null);
  }
}
