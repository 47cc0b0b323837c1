package dev.turnout.internal.fleet;

/** Malformed JSON: the message says what was expected, {@link #position()} where (a character index). */
public final class JsonException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final int position;

  JsonException(String problem, int position) {
    super(problem + " at position " + position);
    this.position = position;
  }

  /** The index of the character where the input stopped being valid JSON. */
  public int position() {
    return position;
  }
}
