package dev.turnout.reconcile;

/** Why a record inside a reconciled range was not copied (besides being on the source already). */
public enum SkipReason {
  /** Its {@code turnout.route} names another cluster than the target: it was replicated to the target. */
  REPLICATED,
  /** It carries {@code turnout.reconciled}: a reconciled copy that replication carried back to the target. */
  RECONCILED_COPY,
  /** It was routed by another rule. */
  OTHER_RULE,
  /** It was routed under an epoch outside the request's range. */
  OTHER_EPOCH,
  /** It belongs to another slice than the one requested. */
  OTHER_SLICE
}
