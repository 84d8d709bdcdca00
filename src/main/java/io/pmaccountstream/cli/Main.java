package io.pmaccountstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: wires the subcommands, nothing else. */
@Command(
    name = "pm-account-stream",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Binance Portfolio Margin account state as a Kafka event stream.",
    subcommands = {
      CommandLine.HelpCommand.class,
      FetchCommand.class,
      SimulateCommand.class,
      ConsumeCommand.class,
      PollCommand.class,
      DeriveCommand.class,
      DemoCommand.class,
      ReplayCommand.class,
      ExportCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; tests execute commands through it. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
