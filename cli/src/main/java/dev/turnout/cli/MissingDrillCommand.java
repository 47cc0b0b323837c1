package dev.turnout.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code turnout drill} when the migration drill is not on the class path (the cli's own jar): exits
 * {@link ExitCodes#USAGE}, naming the artifact and the jar that hold it.
 */
@Command(name = "drill", mixinStandardHelpOptions = true,
    description = "Rehearse a migration under load and write an evidence report. Needs the turnout-drill "
        + "artifact: run java -jar turnout-drill-<version>-all.jar drill [options].",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"2:the drill is not in this jar"})
final class MissingDrillCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Unmatched
  List<String> arguments = new ArrayList<>();

  @Override
  public Integer call() {
    String version = TurnoutCli.class.getPackage().getImplementationVersion();
    spec.commandLine().getErr().println("error: 'turnout drill' runs the migration drill, which this jar does not "
        + "hold (the drill carries embedded Kafka brokers): run it from the turnout-drill artifact (dev.turnout:"
        + "turnout-drill), java -jar turnout-drill-" + (version == null ? "<version>" : version)
        + "-all.jar drill [options] (or without 'drill'); see docs/drill.md");
    return ExitCodes.USAGE;
  }
}
