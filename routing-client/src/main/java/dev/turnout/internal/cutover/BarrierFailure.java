package dev.turnout.internal.cutover;

/**
 * Why records for a moved slice were not written: the barrier timed out, or the producer closed while they
 * waited.
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
    /** The producer was closed while the record waited. */
    CLOSED
  }
}
