package dev.turnout.internal.cutover;

/**
 * Why records for a moved slice were not written: the barrier timed out, a slice moved back to its source could
 * not be proven reconciled, or the producer closed while they waited.
 *
 * @param kind what happened
 * @param topic the topic of the moved slice
 * @param epoch the epoch that moved it
 * @param message what happened and what to do, for the exception and the log
 */
public record BarrierFailure(Kind kind, String topic, long epoch, String message) {

  /** What ended the wait. */
  public enum Kind {
    /** {@code turnout.cutover.max.pause.ms} passed before the barrier completed. */
    TIMEOUT,
    /**
     * A slice moved back from its rule's target to its source: its target-only records were not proven to be on
     * the source (missing after {@code turnout.rollback.max.pause.ms}, the reconciliation failed, or none is
     * available).
     */
    ROLLBACK_NOT_RECONCILED,
    /** The producer was closed while the record waited. */
    CLOSED
  }
}
