package dev.turnout.drill.plan;

import dev.turnout.authority.MigrationState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps a drill walks, in order. The first is the state the clients start in (epoch 1); each later step is a
 * flip to the next epoch. A step with a smaller promoted share than the one before is a rollback.
 *
 * @param steps at least two steps
 */
public record Plan(List<Step> steps) {

  public Plan {
    steps = List.copyOf(steps);
    if (steps.size() < 2) {
      throw new IllegalArgumentException("A plan needs at least two steps (the starting state and one flip), got "
          + steps.size());
    }
  }

  /**
   * MIRROR, DUAL_READ, WRITE_PROMOTION 10%, 50%, the rollback of every slice to DUAL_READ, WRITE_PROMOTION 100%,
   * TARGET_AUTHORITY.
   */
  public static Plan standard() {
    return new Plan(List.of(Step.of(MigrationState.MIRROR), Step.of(MigrationState.DUAL_READ),
        new Step(MigrationState.WRITE_PROMOTION, 10), new Step(MigrationState.WRITE_PROMOTION, 50),
        Step.of(MigrationState.DUAL_READ), new Step(MigrationState.WRITE_PROMOTION, 100),
        Step.of(MigrationState.TARGET_AUTHORITY)));
  }

  /**
   * Reads a plan: one step per line ({@link Step#parse(String)}); blank lines and lines starting with {@code #}
   * are skipped.
   *
   * @throws IllegalArgumentException naming the file, the line and what is wrong
   */
  public static Plan read(Path file) throws IOException {
    List<Step> steps = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        steps.add(Step.parse(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    try {
      return new Plan(steps);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** Whether step {@code index} moves writes back to the source. */
  public boolean rollbackAt(int index) {
    return index > 0 && steps.get(index).rollbackFrom(steps.get(index - 1));
  }

  /** The number of flips: every step but the first. */
  public int flips() {
    return steps.size() - 1;
  }
}
