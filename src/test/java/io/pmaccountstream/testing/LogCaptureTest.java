package io.pmaccountstream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LogCaptureTest {

  private static final String SECRET =
      "s3cr3t-NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
  private static final Logger log = LoggerFactory.getLogger(LogCaptureTest.class);

  @Test
  void findsASecretInTheMessageWithoutPrintingIt() {
    try (LogCapture logs = LogCapture.start()) {
      log.info("signing with {}", SECRET);

      assertThatThrownBy(() -> logs.assertNeverContains("unrelated", SECRET))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("needle #2")
          .hasMessageContaining("the message")
          .hasMessageContaining("signing with *****")
          .message()
          .doesNotContain(SECRET);
    }
  }

  @Test
  void findsASecretInTheMdc() {
    try (LogCapture logs = LogCapture.start()) {
      MDC.put("apiKey", SECRET);
      try {
        log.info("polling");
      } finally {
        MDC.remove("apiKey");
      }

      assertThatThrownBy(() -> logs.assertNeverContains(SECRET))
          .hasMessageContaining("the MDC entry apiKey");
    }
  }

  @Test
  void findsASecretDeepInACauseChain() {
    try (LogCapture logs = LogCapture.start()) {
      IOException cause = new IOException("bad key " + SECRET);
      log.warn("request failed", new IllegalStateException("wrapped", cause));

      assertThatThrownBy(() -> logs.assertNeverContains(SECRET))
          .hasMessageContaining("the throwable");
    }
  }

  @Test
  void passesWhenTheSecretWasNeverLogged() {
    try (LogCapture logs = LogCapture.start()) {
      log.info("signing with a key of {} chars", SECRET.length());

      logs.assertNeverContains(SECRET);
      assertThat(logs.messages())
          .containsExactly("signing with a key of " + SECRET.length() + " chars");
    }
  }

  @Test
  void capturesEventsOfOtherThreads() throws InterruptedException {
    try (LogCapture logs = LogCapture.start()) {
      Thread worker = new Thread(() -> log.info("from a worker"), "worker-1");
      worker.start();
      worker.join();

      assertThat(logs.events())
          .singleElement()
          .satisfies(e -> assertThat(e.getThreadName()).isEqualTo("worker-1"));
    }
  }

  @Test
  void aLevelCapturesDebugOfLoggersConfiguredHigherAndRestoresThemOnClose() {
    Logger kafka = LoggerFactory.getLogger("org.apache.kafka.clients.Example");
    ch.qos.logback.classic.Logger configured =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.kafka");
    assertThat(configured.getLevel()).isEqualTo(Level.WARN);

    try (LogCapture logs = LogCapture.start(Level.DEBUG)) {
      kafka.debug("debug detail {}", SECRET);

      assertThat(logs.contains(SECRET)).isTrue();
    }

    assertThat(configured.getLevel()).isEqualTo(Level.WARN);
    assertThat(kafka.isDebugEnabled()).isFalse();
  }

  @Test
  void closedCaptureRecordsNothingMore() {
    LogCapture logs = LogCapture.start();
    logs.close();

    log.info("after close");

    assertThat(logs.events()).isEmpty();
  }

  @Test
  void blankNeedlesAreRefused() {
    try (LogCapture logs = LogCapture.start()) {
      assertThatThrownBy(() -> logs.assertNeverContains(" "))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
