package dev.turnout.cli;

/** A command refused to do what it was asked, for a reason the message gives (exit status {@link ExitCodes#RED}). */
public final class RefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public RefusedException(String message) {
    super(message);
  }
}
