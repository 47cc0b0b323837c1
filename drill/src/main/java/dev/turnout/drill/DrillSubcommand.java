package dev.turnout.drill;

import dev.turnout.cli.TurnoutSubcommand;
import picocli.CommandLine;

/** Registers the drill as {@code turnout drill} (listed in {@code META-INF/services}). */
public final class DrillSubcommand implements TurnoutSubcommand {

  @Override
  public String name() {
    return "drill";
  }

  @Override
  public Object command() {
    CommandLine drill = new CommandLine(DrillMain.command(Progress.terminal()));
    drill.getCommandSpec().name(name());
    return drill;
  }
}
