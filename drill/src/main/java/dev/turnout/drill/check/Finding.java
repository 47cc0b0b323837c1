package dev.turnout.drill.check;

import java.util.List;

/**
 * The result of one invariant.
 *
 * @param name the invariant, as the report and the last line of the drill name it
 * @param checked how many records (or keys) it looked at
 * @param violations how many broke it
 * @param examples up to five violations, described
 */
public record Finding(String name, long checked, long violations, List<String> examples) {

  static final int MAX_EXAMPLES = 5;

  public Finding {
    examples = List.copyOf(examples);
  }

  /** Whether the invariant held. */
  public boolean held() {
    return violations == 0;
  }

  @Override
  public String toString() {
    return (held() ? "HELD   " : "BROKEN ") + name + ": " + violations + " violation(s) among " + checked
        + (examples.isEmpty() ? "" : ", e.g. " + String.join("; ", examples));
  }
}
