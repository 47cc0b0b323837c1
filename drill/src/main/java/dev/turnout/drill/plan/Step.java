package dev.turnout.drill.plan;

import dev.turnout.authority.MigrationState;
import java.util.Locale;

/**
 * One step of a plan: a migration state and, for {@code WRITE_PROMOTION}, the percentage of key buckets whose
 * writes go to the target (buckets {@code 0} to {@code percent * 100 - 1}).
 *
 * @param state the rule's state
 * @param percent the share of buckets promoted to the target: 0 for {@code MIRROR} and {@code DUAL_READ}, 1-100
 *     for {@code WRITE_PROMOTION}, 100 for {@code TARGET_AUTHORITY}
 */
public record Step(MigrationState state, int percent) {

  public Step {
    boolean promotion = state == MigrationState.WRITE_PROMOTION;
    if (promotion ? percent < 1 || percent > 100 : percent != expected(state)) {
      throw new IllegalArgumentException("Step " + state + " " + percent + "%: WRITE_PROMOTION takes 1% to 100% of "
          + "the keys, the other states none (" + MigrationState.TARGET_AUTHORITY + " implies 100%)");
    }
  }

  private static int expected(MigrationState state) {
    return state == MigrationState.TARGET_AUTHORITY ? 100 : 0;
  }

  /** A step without a percentage ({@code MIRROR}, {@code DUAL_READ}, {@code TARGET_AUTHORITY}). */
  public static Step of(MigrationState state) {
    return new Step(state, expected(state));
  }

  /**
   * Parses {@code STATE} or {@code WRITE_PROMOTION <n>%}, e.g. {@code WRITE_PROMOTION 10%}.
   *
   * @throws IllegalArgumentException naming what is wrong and what is accepted
   */
  public static Step parse(String line) {
    String[] parts = line.trim().split("\\s+");
    MigrationState state;
    try {
      state = MigrationState.valueOf(parts[0].toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown step '" + line.trim() + "': expected MIRROR, DUAL_READ, "
          + "WRITE_PROMOTION <n>% or TARGET_AUTHORITY", e);
    }
    if (parts.length == 1 && state != MigrationState.WRITE_PROMOTION) {
      return of(state);
    }
    if (parts.length != 2 || state != MigrationState.WRITE_PROMOTION || !parts[1].matches("\\d{1,3}%")) {
      throw new IllegalArgumentException("Malformed step '" + line.trim() + "': expected WRITE_PROMOTION <n>% "
          + "(1 to 100), or MIRROR, DUAL_READ, TARGET_AUTHORITY alone");
    }
    return new Step(state, Integer.parseInt(parts[1].substring(0, parts[1].length() - 1)));
  }

  /** Whether going from {@code previous} to this step moves writes of some keys back to the source. */
  public boolean rollbackFrom(Step previous) {
    return previous != null && percent < previous.percent;
  }

  @Override
  public String toString() {
    return state == MigrationState.WRITE_PROMOTION ? state + " " + percent + "%" : state.name();
  }
}
