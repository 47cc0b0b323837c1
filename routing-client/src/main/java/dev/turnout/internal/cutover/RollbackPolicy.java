package dev.turnout.internal.cutover;

/**
 * How the producer handles a slice moved back from a rule's target to its source ({@code turnout.rollback.*}).
 *
 * @param auto {@code turnout.rollback.reconcile=auto}: reconcile the slice's whole range, then check it; otherwise
 *     ({@code manual}) only check the records this producer acknowledged on the target
 * @param maxPauseMillis {@code turnout.rollback.max.pause.ms}
 * @param pollMillis how often the check runs while records are missing
 * @param reconciliation the reconciliation, or {@code null}: a rollback that has anything to prove fails closed
 */
public record RollbackPolicy(boolean auto, long maxPauseMillis, long pollMillis, SliceReconciliation reconciliation) {

  /** Default interval of the check. */
  public static final long DEFAULT_POLL_MILLIS = 250;

  public RollbackPolicy {
    if (maxPauseMillis <= 0 || pollMillis <= 0) {
      throw new IllegalArgumentException("maxPauseMillis and pollMillis must be positive");
    }
  }

  /** Manual, 60 s, no reconciliation. */
  public static RollbackPolicy manualWithoutReconciliation() {
    return new RollbackPolicy(false, 60_000, DEFAULT_POLL_MILLIS, null);
  }

  /** The configuration value of the mode. */
  public String modeValue() {
    return auto ? "auto" : "manual";
  }
}
