package dev.turnout.internal.reconcile;

import dev.turnout.internal.provenance.ProvenanceHeaders.RouteStamp;

/**
 * What one target record is to a reconciliation.
 *
 * @param outcome the classification
 * @param stamp the record's parsed route ({@code null} without provenance)
 * @param skip why it is skipped, for {@link Outcome#SKIP}
 * @param bucket the key bucket (0-9999), -1 for a null key or when not computed
 * @param detail for {@link Outcome#NOT_ON_TARGET}: what the document says instead
 */
public record Verdict(Outcome outcome, RouteStamp stamp, Skip skip, int bucket, String detail) {

  /** The classification of a record. */
  public enum Outcome {
    /** A target-only record of the request: to be on the source. */
    CANDIDATE,
    /** Not target-only, or outside the request; counted by reason. */
    SKIP,
    /** No valid {@code turnout.route} or {@code turnout.id}: it cannot be attributed. */
    NO_PROVENANCE,
    /** Routed to the target, but its epoch's document does not give its key to the target. */
    NOT_ON_TARGET
  }

  static Verdict candidate(RouteStamp stamp, int bucket) {
    return new Verdict(Outcome.CANDIDATE, stamp, null, bucket, null);
  }

  static Verdict skip(RouteStamp stamp, Skip skip) {
    return new Verdict(Outcome.SKIP, stamp, skip, -1, null);
  }

  static Verdict noProvenance() {
    return new Verdict(Outcome.NO_PROVENANCE, null, null, -1, null);
  }

  static Verdict notOnTarget(RouteStamp stamp, int bucket, String detail) {
    return new Verdict(Outcome.NOT_ON_TARGET, stamp, null, bucket, detail);
  }
}
