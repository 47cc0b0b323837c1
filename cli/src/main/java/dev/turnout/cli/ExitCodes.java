package dev.turnout.cli;

import dev.turnout.authority.InvalidAuthorityDocumentException;
import org.apache.kafka.common.KafkaException;

/** The exit statuses of every subcommand, and how a failure maps to one. */
public final class ExitCodes {

  /** Green, or the command did what it was asked. */
  public static final int OK = 0;
  /** A gate line is red, or a document is invalid, or a publication was refused. */
  public static final int RED = 1;
  /** Bad arguments, an unreadable file, or a cluster that cannot be reached. */
  public static final int USAGE = 2;

  private ExitCodes() {}

  /** The status a failure exits with: {@link #RED} for a refusal, {@link #USAGE} otherwise. */
  static int of(Throwable e) {
    if (e instanceof RefusedException || e instanceof InvalidAuthorityDocumentException) {
      return RED;
    }
    return USAGE;
  }

  /** One line saying what failed, without a stack trace (the cause's message is added when it says more). */
  static String message(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Throwable cause = e.getCause();
    if (e instanceof KafkaException && cause != null && cause.getMessage() != null
        && !message.contains(cause.getMessage())) {
      message = message + ": " + cause.getMessage();
    }
    return message.replace('\n', ' ');
  }
}
