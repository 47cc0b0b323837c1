package dev.turnout.authority;

/** The migration state of a rule; each state fixes where writes and reads go. */
public enum MigrationState {
  /** The target receives replicated records; the source owns writes and reads. */
  MIRROR,
  /** Production reads and writes stay on the source; validation consumers read the target. */
  DUAL_READ,
  /** Each slice of writes goes to its owner; consumers read the target. The only sliced state. */
  WRITE_PROMOTION,
  /** The target is the system of record for writes and reads. */
  TARGET_AUTHORITY;

  /** Whether rules in this state divide writes into slices (required in this state, refused in others). */
  public boolean sliced() {
    return this == WRITE_PROMOTION;
  }

  /** Whether production consumers read the target (otherwise the source). */
  public boolean readsTarget() {
    return this == WRITE_PROMOTION || this == TARGET_AUTHORITY;
  }
}
