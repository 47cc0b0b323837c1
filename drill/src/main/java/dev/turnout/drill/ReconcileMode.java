package dev.turnout.drill;

/** Who reconciles the target-only records when a flip moves writes back to the source. */
public enum ReconcileMode {
  /**
   * The drill, as an operator would: it runs {@code Reconciler.apply} for the rule right after the rollback flip
   * (once the fleet is on the new epoch); the producers run {@code turnout.rollback.reconcile=manual}.
   */
  MANUAL,
  /** The producers themselves ({@code turnout.rollback.reconcile=auto}); the drill reconciles nothing. */
  AUTO,
  /**
   * Nobody: a deliberately faulty drill. The producers run {@code manual} and nothing copies the target-only
   * records back, so the rollback invariant breaks.
   */
  NONE
}
