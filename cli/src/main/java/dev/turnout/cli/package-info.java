/**
 * The operator's command line, {@code turnout}: one class per subcommand, plain text output by default and
 * {@code --json} on every command, exit statuses in {@link dev.turnout.cli.ExitCodes}.
 */
package dev.turnout.cli;
