package dev.turnout.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code turnout --version}: the version of the jar, from its manifest. */
final class Version implements IVersionProvider {

  @Override
  public String[] getVersion() {
    String version = TurnoutCli.class.getPackage().getImplementationVersion();
    return new String[] {"turnout " + (version == null ? "(development build)" : version)};
  }
}
