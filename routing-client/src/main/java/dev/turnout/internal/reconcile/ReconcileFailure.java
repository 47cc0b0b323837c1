package dev.turnout.internal.reconcile;

import java.util.Objects;

/**
 * Why a reconciliation cannot go on; the message says what is wrong, where and what to do next. The public
 * {@code ReconcileException} carries the same kinds and message.
 */
public final class ReconcileFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The kinds of failure; the names match {@code dev.turnout.reconcile.ReconcileException.Kind}. */
  public enum Kind {
    PARTITION_COUNT_MISMATCH,
    MISSING_PROVENANCE,
    GAP,
    SLICE_NOT_ON_TARGET,
    UNREACHABLE,
    MISSING_DOCUMENT,
    TOPIC_MISSING,
    RULE_MISSING,
    ALIAS_MISMATCH,
    INVALID_RANGE,
    STALLED,
    CLUSTER_ERROR,
    WRITE_FAILED
  }

  private final Kind kind;

  public ReconcileFailure(Kind kind, String message) {
    this(kind, message, null);
  }

  public ReconcileFailure(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }
}
