package dev.turnout.cli;

import java.io.PrintWriter;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code turnout} command: the entry point of the executable jar. Each subcommand is a class of its own in
 * this package; see docs/operations.md for the runbook and {@link ExitCodes} for what each exit status means.
 */
@Command(name = "turnout", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Operate a Kafka migration routed by Turnout: check and publish authority documents, read the "
        + "fleet's status, and show the evidence for each gate.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:green / ok",
        "1:red, or an invalid document",
        "2:usage or connection error"},
    subcommands = {
        CommandLine.HelpCommand.class,
        ValidateCommand.class,
        DiffCommand.class,
        KeygenCommand.class,
        SignCommand.class,
        PublishCommand.class,
        StatusCommand.class,
        ReconcileCommand.class,
        GateCommand.class,
    })
public final class TurnoutCli {

  private TurnoutCli() {}

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams; returns the exit status ({@link ExitCodes}). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  /**
   * The configured command line (usage errors exit with {@link ExitCodes#USAGE}, failures print one line), with
   * the subcommands other artifacts contribute ({@link TurnoutSubcommand}); {@code drill} without the drill on the
   * class path names the artifact that has it.
   */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new TurnoutCli());
    for (TurnoutSubcommand extra : ServiceLoader.load(TurnoutSubcommand.class, TurnoutCli.class.getClassLoader())) {
      if (!cli.getSubcommands().containsKey(extra.name())) {
        cli.addSubcommand(extra.name(), extra.command());
      }
    }
    if (!cli.getSubcommands().containsKey("drill")) {
      cli.addSubcommand("drill", new MissingDrillCommand());
    }
    cli.setExitCodeExceptionMapper(ExitCodes::of);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println(commandLine.getColorScheme().errorText("error: " + ExitCodes.message(e)));
      return ExitCodes.of(e);
    });
    cli.setParameterExceptionHandler((e, args) -> {
      CommandLine c = e.getCommandLine();
      c.getErr().println(c.getColorScheme().errorText("error: " + e.getMessage()));
      c.getErr().println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
      return ExitCodes.USAGE;
    });
    return cli;
  }
}
