package dev.turnout.reconcile;

import java.util.Objects;

/**
 * A reconciliation that cannot be done as asked. The message says what is wrong, where (cluster, topic, partition,
 * offset) and what to do next. Every problem of the request or of the data (the kinds from
 * {@link Kind#PARTITION_COUNT_MISMATCH} to {@link Kind#INVALID_RANGE}) is raised after the whole request was read
 * and before anything is written. {@link Kind#UNREACHABLE}, {@link Kind#STALLED}, {@link Kind#CLUSTER_ERROR},
 * {@link Kind#WRITE_FAILED} and a {@link Kind#GAP} found by the copy's second read can also come while copying,
 * after earlier partitions or transactions were committed; a rerun resumes without writing any record twice.
 */
public final class ReconcileException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** A topic has different partition counts on the two clusters; copies keep the partition number. */
    PARTITION_COUNT_MISMATCH,
    /** A target record inside the range has no valid {@code turnout.route} and {@code turnout.id}. */
    MISSING_PROVENANCE,
    /** Records inside the range were deleted on the target (retention, compaction, {@code deleteRecords}). */
    GAP,
    /** A target-only record's key is not given to the target by its epoch's document. */
    SLICE_NOT_ON_TARGET,
    /** A cluster did not answer within the request timeout. */
    UNREACHABLE,
    /** No document was given for an epoch of the range (nor for an earlier epoch). */
    MISSING_DOCUMENT,
    /** A topic of the rule is missing on one of the clusters. */
    TOPIC_MISSING,
    /** No document given has the rule, or a topic given does not belong to it. */
    RULE_MISSING,
    /** The rule's source and target are not this reconciler's aliases. */
    ALIAS_MISMATCH,
    /** A given offset range lies outside the partition. */
    INVALID_RANGE,
    /** A read made no progress (an open transaction holds the last stable offset). */
    STALLED,
    /** A cluster answered with an error (for example missing permissions). */
    CLUSTER_ERROR,
    /** Writing to the source failed; committed batches stay, and a rerun skips them. */
    WRITE_FAILED
  }

  private final Kind kind;

  /** An exception of {@code kind}; the message should say what is wrong, where and what to do. */
  public ReconcileException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }
}
