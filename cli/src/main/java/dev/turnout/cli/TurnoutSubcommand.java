package dev.turnout.cli;

/**
 * A subcommand of {@code turnout} that another artifact contributes, found with {@link java.util.ServiceLoader}:
 * the artifact lists its implementation in {@code META-INF/services/dev.turnout.cli.TurnoutSubcommand}. The
 * migration drill ({@code turnout-drill}) registers {@code drill} this way, so that the cli's own jar does not
 * carry the drill's embedded brokers. A name the cli already has is ignored.
 */
public interface TurnoutSubcommand {

  /** The subcommand's name, e.g. {@code drill}. */
  String name();

  /**
   * A new picocli command: an instance of a class annotated with {@code @Command}, or a {@code CommandLine} (to
   * name it {@link #name()} whatever its annotation says). Its exit code is {@code turnout}'s; it prints through
   * the {@code CommandLine}'s writers (its {@code @Spec}).
   */
  Object command();
}
