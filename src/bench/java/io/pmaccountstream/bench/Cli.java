package io.pmaccountstream.bench;

import io.pmaccountstream.cli.Main;

/** What the project's command line offers in this build. */
final class Cli {

  static final String MAIN_CLASS = Main.class.getName();

  private Cli() {}

  static boolean hasCommand(String name) {
    return Main.commandLine().getSubcommands().containsKey(name);
  }
}
