package dev.turnout.internal.reconcile;

/** Why a record inside a reconciled range is not target-only; names match the public {@code SkipReason}. */
public enum Skip {
  /** Its route names another cluster than the target: it was written there and replicated to the target. */
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
