package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigException;
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
    return commandLine(new Main());
  }

  /**
   * A command configured as {@code main} runs it: case-insensitive enum values, and a {@link
   * ConfigException} from any command reported the one way ({@link ConfigOptions#report}: every
   * problem listed, exit code 2).
   */
  static CommandLine commandLine(Object command) {
    return new CommandLine(command)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Main::handle);
  }

  private static int handle(Exception e, CommandLine command, CommandLine.ParseResult parsed)
      throws Exception {
    if (e instanceof ConfigException problems) {
      return ConfigOptions.report(problems, command.getErr());
    }
    throw e;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
