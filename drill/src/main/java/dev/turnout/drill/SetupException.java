package dev.turnout.drill;

/**
 * The operator's clusters are not as the drill needs them (unreachable, a topic with another partition count,
 * no replication of the keyed topic). The message says what is wrong and what to configure; the drill exits with
 * {@link DrillMain#USAGE}. It never carries a client setting's value.
 */
final class SetupException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  SetupException(String message) {
    super(message);
  }

  SetupException(String message, Throwable cause) {
    super(message, cause);
  }
}
