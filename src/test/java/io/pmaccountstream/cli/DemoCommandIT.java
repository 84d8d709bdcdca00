package io.pmaccountstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.testing.KafkaBrokerExtension;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The README's first command, in process, on the real broker and registry: the expected events
 * appear.
 */
class DemoCommandIT {

  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  @Test
  void showsStatusTransitionsAndLevelEventsOfTheMarginCallAndLiquidationScenarios() {
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));

    int exit =
        cli.execute(
            "demo",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--schema-registry-url",
            registry.url(),
            "--duration",
            "40s",
            "--speed",
            "40",
            "--accounts",
            "1");

    String printed = out.toString();
    assertThat(exit).as(printed).isZero();
    assertThat(printed)
        .contains("TIME      ACCOUNT")
        .containsPattern("margin-call-1 +STATUS +\\(first seen\\) -> NORMAL \\(INITIAL\\)")
        .containsPattern("margin-call-1 +STATUS +NORMAL -> MARGIN_CALL \\(WORSENED\\)")
        .containsPattern("margin-call-1 +STATUS +MARGIN_CALL -> REDUCE_ONLY \\(WORSENED\\)")
        .containsPattern("liquidation-1 +STATUS +REDUCE_ONLY -> FORCE_LIQUIDATION \\(WORSENED\\)")
        .containsPattern("liquidation-1 +BREACHED +above 1.5 -> below")
        .containsPattern("liquidation-1 +BREACHED +above 1.2 -> below")
        .containsPattern("liquidation-1 +BREACHED +above 1.05 -> below")
        .contains("consume --topic pm.account.status-transitions");
  }
}
