package dev.turnout.drill.load;

/**
 * The value the drill writes: {@code <key>#<sequence>}, the key and its per-key sequence number, so every record
 * can be told apart and ordered per key wherever it is read.
 */
public final class RecordValue {

  /**
   * The header carrying the key's sequence number (decimal, UTF-8) of a record whose value the drill did not write
   * (a user's own drill, {@code dev.turnout.drill.junit}): such a record is known as {@code <key>#<sequence>}.
   */
  public static final String SEQUENCE_HEADER = "turnout.drill.seq";

  private RecordValue() {}

  /** The value of the {@code sequence}-th record of {@code key}. */
  public static String of(String key, long sequence) {
    return key + '#' + sequence;
  }

  /** The sequence number of a drill value, or -1 for a value the drill did not write. */
  public static long sequence(String value) {
    int at = value == null ? -1 : value.lastIndexOf('#');
    if (at < 0) {
      return -1;
    }
    try {
      return Long.parseLong(value, at + 1, value.length(), 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
