package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.ops.HealthChecks;
import io.pmaccountstream.ops.OpsConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lifecycle poll and derive share; the ops server stays off unless a test needs it. */
class ServiceTest {

  private final List<String> calls = new ArrayList<>();
  private final StringWriter err = new StringWriter();

  private Service recording(IntRun run) {
    return new Service() {
      @Override
      public HealthChecks health() {
        calls.add("health");
        return new HealthChecks();
      }

      @Override
      public int run() {
        calls.add("run");
        return run.run();
      }

      @Override
      public void stop() {
        calls.add("stop");
      }

      @Override
      public void close() {
        calls.add("close");
      }
    };
  }

  interface IntRun {
    int run();
  }

  @Test
  void runsThenStopsOnceThenClosesAndReturnsTheExitCode() throws Exception {
    int exit =
        Service.run(
            "test", OpsConfig.disabled(), new PrintWriter(err), metrics -> recording(() -> 3));

    assertThat(exit).isEqualTo(3);
    assertThat(calls).containsExactly("health", "run", "stop", "close");
  }

  @Test
  void stopsAndClosesEvenWhenRunFails() {
    assertThatThrownBy(
            () ->
                Service.run(
                    "test",
                    OpsConfig.disabled(),
                    new PrintWriter(err),
                    metrics ->
                        recording(
                            () -> {
                              throw new IllegalStateException("boom");
                            })))
        .hasMessage("boom");
    assertThat(calls).containsExactly("health", "run", "stop", "close");
  }

  @Test
  void anOpsPortInUseIsExit1WithAMessageAndTheServiceNeverRuns() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int exit =
          Service.run(
              "test",
              OpsConfig.loopback(taken.getLocalPort()),
              new PrintWriter(err, true),
              metrics -> recording(() -> 0));

      assertThat(exit).isEqualTo(1);
      assertThat(err.toString()).startsWith("test failed: cannot open the ops endpoint");
      assertThat(calls).containsExactly("health", "close");
    }
  }
}
