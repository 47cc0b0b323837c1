package dev.turnout.authority;

import java.util.Objects;

/** One reason an authority document was rejected: a machine-readable kind and a sentence saying what to fix. */
public record DocumentProblem(Kind kind, String detail) {

  /** Machine-readable kinds of rejection. */
  public enum Kind {
    /** A required key is absent or empty. */
    MISSING_VALUE,
    /** A number (epoch, key range bound) does not parse or is negative. */
    MALFORMED_NUMBER,
    /** A key the document format does not define. */
    UNKNOWN_KEY,
    /** A state that is not one of MIRROR, DUAL_READ, WRITE_PROMOTION, TARGET_AUTHORITY. */
    UNKNOWN_STATE,
    /** A cluster alias that is not declared in {@code turnout.clusters}. */
    UNKNOWN_CLUSTER,
    /** A slice or null-key owner that is neither the rule's source nor its target. */
    OWNER_NOT_SOURCE_OR_TARGET,
    /** A rule whose source and target are the same cluster. */
    SOURCE_EQUALS_TARGET,
    /** A rule, slice or topic name with characters outside the allowed set. */
    INVALID_NAME,
    /** A key range outside 0-9999 or with its bounds reversed. */
    INVALID_RANGE,
    /** Two slices of a rule cover the same key bucket. */
    SLICE_OVERLAP,
    /** Some key bucket in 0-9999 is covered by no slice of a rule. */
    SLICE_GAP,
    /** Slices or a null-key owner in a rule whose state is not WRITE_PROMOTION. */
    SLICES_NOT_ALLOWED,
    /** A WRITE_PROMOTION rule without slices. */
    SLICES_REQUIRED,
    /** A topic or prefix claimed by two rules at the same specificity. */
    TOPIC_CLAIMED_TWICE,
    /** A rule that names neither topics nor a topic prefix. */
    NO_TOPICS,
    /** An epoch lower than the one in force. */
    EPOCH_REGRESSION,
    /** A document that differs from the one in force but carries the same epoch. */
    EPOCH_CONFLICT,
    /** The source could not be read or did not contain a document. */
    UNREADABLE,
    /**
     * The document has fewer or more keys than its {@code key-count} says: it was read while being written
     * (a torn read), or {@code key-count} is wrong.
     */
    INCOMPLETE,
    /** Signatures are required (trusted keys are configured) and the document carries none. */
    UNSIGNED,
    /**
     * The signature does not match the document (altered after signing, or the signature of another document),
     * or it is malformed.
     */
    BAD_SIGNATURE,
    /** The document is signed by a key that is not among the trusted keys. */
    UNKNOWN_SIGNING_KEY,
    /** A value its key does not allow, such as {@code rule.<name>.rollback.allowed} other than true or false. */
    INVALID_VALUE,
    /**
     * The document moves a rule out of {@code TARGET_AUTHORITY} (in force) back to an earlier state without
     * {@code rule.<name>.rollback.allowed=true}: add that key if the rollback is intended. The map in force stays.
     */
    ROLLBACK_NOT_ALLOWED
  }

  public DocumentProblem {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
  }

  @Override
  public String toString() {
    return kind + ": " + detail;
  }
}
