package io.pmaccountstream.cli;

import picocli.CommandLine;

/** Reports the version Maven wrote into the jar manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {
      "pm-account-stream " + (version == null ? "(development build)" : version)
    };
  }
}
